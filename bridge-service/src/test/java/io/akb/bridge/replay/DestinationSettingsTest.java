package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationSettingsTest {

  @Test
  void replaceIsRefusedNamingTheSettingThatAsksForIt() {
    assertThatThrownBy(
            () ->
                DestinationSettings.refuseReplace(
                    "lake", WriteStrategy.AUTO, Map.of("users", WriteStrategy.REPLACE)))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("akb.targets.lake.streams.users.strategy is replace")
        .hasMessageContaining("Use auto");
    assertThatThrownBy(
            () -> DestinationSettings.refuseReplace("lake", WriteStrategy.REPLACE, Map.of()))
        .hasMessageContaining("akb.targets.lake.strategy is replace");
  }

  @Test
  void appendMergeAndAutoAreAccepted() {
    assertThatCode(
            () ->
                DestinationSettings.refuseReplace(
                    "lake",
                    WriteStrategy.AUTO,
                    Map.of("users", WriteStrategy.MERGE, "events", WriteStrategy.APPEND)))
        .doesNotThrowAnyException();
  }
}
