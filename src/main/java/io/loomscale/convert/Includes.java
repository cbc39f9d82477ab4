package io.loomscale.convert;

import io.loomscale.convert.IniReader.Section;
import io.loomscale.convert.IniReader.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MaxScale's {@code @include=NAME[,NAME...]}: a section gets the parameters of the named
 * sections (usually {@code type=include}, which are not objects themselves) unless it sets
 * them itself; of two included sections, the later one wins; includes may nest, loops and
 * unknown names are errors. {@code type} is never inherited.
 *
 * @param sections every section, with its includes merged in, in reading order
 * @param included the names of the sections some other section includes
 */
record Includes(List<Section> sections, Set<String> included) {

    static Includes resolve(List<Section> raw) {
        Map<String, Section> byName = new LinkedHashMap<>();
        raw.forEach(s -> byName.put(s.name(), s));
        Set<String> included = new HashSet<>();
        List<Section> out = new ArrayList<>();
        for (Section s : raw) {
            out.add(resolve(s, byName, included, new ArrayList<>()));
        }
        return new Includes(List.copyOf(out), Set.copyOf(included));
    }

    private static Section resolve(Section s, Map<String, Section> byName, Set<String> included, List<String> chain) {
        Value inc = s.values().get("@include");
        if (inc == null) {
            return s;
        }
        if (chain.contains(s.name())) {
            throw new IniReader.IniException(inc.file() + ":" + inc.line() + ": @include loop: "
                    + String.join(" -> ", chain) + " -> " + s.name());
        }
        chain.add(s.name());
        // The section's own keys first and winning; of the included sections, a later one wins.
        Map<String, Value> merged = new LinkedHashMap<>();
        Map<String, Value> inherited = new LinkedHashMap<>();
        s.values().forEach((k, v) -> {
            if (!k.equals("@include")) {
                merged.put(k, v);
            }
        });
        for (String name : IniReader.list(inc.text())) {
            Section target = byName.get(name);
            if (target == null) {
                throw new IniReader.IniException(inc.file() + ":" + inc.line() + ": [" + s.name()
                        + "] @include names section [" + name + "], which is not defined");
            }
            included.add(name);
            resolve(target, byName, included, chain).values().forEach((k, v) -> {
                if (!k.equals("type")) {
                    inherited.put(k, v);
                }
            });
        }
        chain.remove(chain.size() - 1);
        inherited.forEach(merged::putIfAbsent);
        return new Section(s.name(), s.file(), s.line(), merged);
    }
}
