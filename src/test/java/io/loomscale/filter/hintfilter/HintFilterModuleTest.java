package io.loomscale.filter.hintfilter;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HintFilterModuleTest {
    private static FilterConfig filter(String extra) {
        return ConfigLoader.parse("""
                [filter.Hint]
                module = "hintfilter"
                """ + extra, "t.toml").filters().get("Hint");
    }

    @Test
    void takesNoKeysAndIsLeftOutOfTheChain() {
        Filter f = new HintFilterModule().create(filter(""));
        assertTrue(f.isPassThrough());
    }

    @Test
    void anyKeyIsAnErrorNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> new HintFilterModule().create(filter("match = \"x\"\n")));
        assertTrue(e.getMessage().startsWith("t.toml:3: [filter.Hint] key 'match'"), e.getMessage());
    }
}
