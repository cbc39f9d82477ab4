package io.loomscale.testing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TestClusterGtidTest {

    @ParameterizedTest(name = "replica ''{0}'' has reached primary ''{1}'': {2}")
    @CsvSource(quoteCharacter = '"', textBlock = """
            0-1-10,          0-1-10,        true
            0-1-11,          0-1-10,        true
            0-1-9,           0-1-10,        false
            "",              0-1-10,        false
            "",              "",            true
            "0-1-10,1-2-5",  0-1-10,        true
            0-1-10,          "0-1-10,1-2-5", false
            "1-2-5, 0-1-10", "0-1-10,1-2-5", true
            """)
    void replicaReachesPrimaryDomainByDomain(String replica, String primary, boolean reached) {
        assertEquals(reached, TestCluster.Gtid.reached(TestCluster.Gtid.parse(replica),
                TestCluster.Gtid.parse(primary)));
    }
}
