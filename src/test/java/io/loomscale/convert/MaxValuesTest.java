package io.loomscale.convert;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MaxValuesTest {

    @ParameterizedTest
    @CsvSource({"10, 10", "1k, 1000", "1Ki, 1024", "2Mi, 2097152", "1M, 1000000", "1gi, 1073741824", "3T, 3000000000000"})
    void sizesCountSiSuffixesInThousandsAndIecSuffixesIn1024s(String raw, long bytes) {
        assertEquals(bytes, MaxValues.size(raw));
    }

    @ParameterizedTest
    @CsvSource({"2500, ms, 2500ms", "10, s, 10s", "10s, ms, 10s", "2min, s, 2m", "1H, s, 1h", "500MS, s, 500ms"})
    void durationsKeepTheirUnitAndBareNumbersTakeTheParametersUnit(String raw, String bareUnit, String expected) {
        assertEquals(expected, MaxValues.duration(bareUnit).apply(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5M", "big", "99999999999Ti"})
    void badSizesAreRejectedWithTheValue(String raw) {
        assertEquals(true, assertThrows(IllegalArgumentException.class, () -> MaxValues.size(raw)).getMessage()
                .contains(raw));
    }

    @ParameterizedTest
    @CsvSource({"yes, true", "Off, false", "1, true", "0, false", "TRUE, true"})
    void booleansInMaxScalesSpellings(String raw, boolean expected) {
        assertEquals(expected, MaxValues.bool(raw));
    }
}
