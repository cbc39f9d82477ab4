package io.loomscale.convert;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A guard against drift: every key LoomScale's readwritesplit and mariadbmon accept (read from
 * the modules' own key sets) is carried over by the converter from a MaxScale section that sets
 * it, so a key added to a module without teaching the converter fails here.
 */
class ModuleKeysCoverageTest {

    @SuppressWarnings("unchecked")
    private static Set<String> keys(String className, String field) throws ReflectiveOperationException {
        Field f = Class.forName(className).getDeclaredField(field);
        f.setAccessible(true);
        return (Set<String>) f.get(null);
    }

    private static Set<String> notCarried(String header, Set<String> keys) {
        StringBuilder cnf = new StringBuilder("[a]\ntype=server\naddress=h\n").append(header);
        keys.forEach(k -> cnf.append(k).append("=1\n"));
        Map<String, IniReader.Section> m = new LinkedHashMap<>();
        IniReader.parse(cnf.toString(), "t.cnf", m);
        Conversion c = MaxScaleConverter.convert(List.copyOf(m.values()), "t.cnf", Set.of());
        Set<String> missing = new TreeSet<>();
        for (Note n : c.notes(Note.Kind.DROPPED)) {
            missing.add(n.key());
        }
        return missing;
    }

    @Test
    void everyReadWriteSplitKeyIsCarriedOver() throws ReflectiveOperationException {
        Set<String> keys = keys("io.loomscale.router.readwritesplit.RwsConfig", "KEYS");
        assertEquals(Set.of(), notCarried("[s]\ntype=service\nrouter=readwritesplit\nservers=a\nuser=u\npassword=p\n",
                keys));
    }

    @Test
    void everyMariaDbMonitorKeyIsCarriedOver() throws ReflectiveOperationException {
        Set<String> keys = new TreeSet<>(keys("io.loomscale.monitor.MariaDbMonitor", "PARAMS"));
        keys.addAll(keys("io.loomscale.monitor.HaOptions", "KEYS"));
        assertEquals(Set.of(), notCarried("[m]\ntype=monitor\nmodule=mariadbmon\nservers=a\nuser=u\npassword=p\n", keys));
    }
}
