package io.loomscale.router.readwritesplit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AutoIsNullSettingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "set sql_auto_is_null=1 | true",
            "SET @@session.SQL_AUTO_IS_NULL = ON | true",
            "SET sql_auto_is_null = 'ON', names utf8 | true",
            "SET SESSION sql_auto_is_null := TRUE | true",
            "SET sql_auto_is_null = @x | true",
            "set sql_auto_is_null=0 | false",
            "SET sql_auto_is_null = OFF | false",
            "SET @@sql_auto_is_null = DEFAULT | false",
            "SET sql_auto_is_null = 'off' | false",
            "SET NAMES utf8mb4 | null",
            "SET autocommit = 0 | null",
    })
    void readsWhatASetDoesToSqlAutoIsNull(String sql, Boolean expected) {
        assertEquals(expected, QueryRouter.autoIsNullSetting(sql));
    }
}
