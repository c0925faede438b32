package io.akb.testregistry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

/**
 * The list of dynamic (runtime-editable) settings, which Apicurio's config-index extension builds
 * at build time; that extension's deployment jar is not on Maven Central, so the test registry has
 * none: every setting is static.
 */
public class DynamicPropertiesProducer {
  @Produces
  @Singleton
  DynamicConfigPropertyList dynamicConfigPropertyList() {
    return new DynamicConfigPropertyList(List.of());
  }
}
