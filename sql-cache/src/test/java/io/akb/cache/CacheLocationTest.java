package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheLocationTest {

  @Test
  void aJdbcUrlIsShownWithoutItsPassword() {
    CacheLocation location =
        CacheLocation.parse(
            "postgres:jdbc:postgresql://127.0.0.1:5432/db?user=postgres&password=s3cret&ssl=false");
    assertThat(location.describe())
        .isEqualTo(
            "POSTGRES:jdbc:postgresql://127.0.0.1:5432/db?user=postgres&password=***&ssl=false")
        .doesNotContain("s3cret");
    // the parsed target keeps the password: it is what connects
    assertThat(location.target()).contains("password=s3cret");
  }

  @Test
  void aUserInfoUrlIsShownWithoutItsPassword() {
    assertThat(CacheLocation.parse("postgresql://akb:s3cret@db.example/akb").describe())
        .isEqualTo("POSTGRES:postgresql://akb:***@db.example/akb");
    assertThat(CacheLocation.withoutPassword("jdbc:postgresql://h/db;PASSWORD=s3cret;ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db;PASSWORD=***;ssl=true");
  }

  @Test
  void aDuckDbPathIsShownAsItIs() {
    assertThat(CacheLocation.parse("duckdb:/tmp/my:cache@1.duckdb").describe())
        .isEqualTo("DUCKDB:/tmp/my:cache@1.duckdb");
  }
}
