package io.loomscale.filter;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.FilterConfig;
import io.loomscale.filter.namedserverfilter.NamedServerFilterModule;
import io.loomscale.filter.qlafilter.QlaFilterModule;
import io.loomscale.filter.regexfilter.RegexFilterModule;
import io.loomscale.filter.topfilter.TopFilterModule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad filter configs are refused when the filter is created (at proxy start), with the file, the
 * line, the key and the reason.
 */
class FilterConfigErrorsTest {
    private static final Map<String, FilterModule> MODULES = Map.of(
            "qlafilter", new QlaFilterModule(), "regexfilter", new RegexFilterModule(),
            "namedserverfilter", new NamedServerFilterModule(), "topfilter", new TopFilterModule(),
            "maxrows", new io.loomscale.filter.maxrows.MaxRowsFilterModule(),
            "ccrfilter", new io.loomscale.filter.ccrfilter.CcrFilterModule(),
            "tee", new io.loomscale.filter.tee.TeeFilterModule(),
            "cache", new io.loomscale.filter.cache.CacheFilterModule(),
            "masking", new io.loomscale.filter.masking.MaskingFilterModule(),
            "dbfwfilter", new io.loomscale.filter.dbfwfilter.DbFwFilterModule());

    private static ConfigException refuse(String module, String keys) {
        String toml = "[filter.f]\nmodule = \"" + module + "\"\n" + keys.replace("|", "\n") + "\n";
        FilterConfig fc = ConfigLoader.parse(toml, "bad.toml").filters().get("f");
        FilterEnv env = new FilterEnv(Set.of("server1", "server2"), Set.of("svc1"), name -> null);
        return assertThrows(ConfigException.class, () -> MODULES.get(module).create(fc, env));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "{|  \"store\": [|    {\"attribute\": \"table\" \"op\": \"=\", \"value\": \"t\"}|  ]|};  line 3, column 27): expected '}'",
        "{\"store\": [{\"attribute\": \"tabel\", \"op\": \"=\", \"value\": \"t\"}]};  store rule 1: attribute 'tabel'",
        "{\"use\": [{\"attribute\": \"user\", \"op\": \"~\", \"value\": \"bob\"}]};  use rule 1: op '~'",
        "{\"stor\": []};  unknown member 'stor'",
        "{\"store\": [{\"attribute\": \"query\", \"op\": \"like\", \"value\": \"a(\"}]};  store rule 1: bad regular expression",
    })
    void aBadCacheRulesFileIsRefusedWithFileAndReason(String json, String reason, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path f = dir.resolve("rules.json");
        java.nio.file.Files.writeString(f, json.replace("|", "\n"));
        String msg = refuse("cache", "rules = '" + f + "'").getMessage();
        assertTrue(msg.contains("bad.toml:3: [filter.f] key 'rules': rules file " + f + ": "), msg);
        assertTrue(msg.contains(reason.trim()), msg);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "{|  \"rules\": [|    {\"replace\": {\"column\": \"a\"},|  ]|};  line 4, column 3): expected a member name",
        "{\"rules\": [{\"replace\": {\"table\": \"t\"}}]};  rule 1: 'column' is required",
        "{\"rules\": [{\"replace\": {\"column\": \"a\"}, \"obfuscate\": {\"column\": \"a\"}}]};  rule 1: needs exactly one of",
        "{\"rules\": [{\"replace\": {\"column\": \"a\"}, \"with\": {\"fill\": \"ab\"}}]};  rule 1: 'with.fill' must be one printable",
        "{\"rules\": [{\"replace\": {\"column\": \"a\"}, \"match\": \"(\"}]};  rule 1: 'match': bad regular expression",
        "{\"rulez\": []};  must be an object with a 'rules' array",
    })
    void aBadMaskingRulesFileIsRefusedWithFileAndReason(String json, String reason, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path f = dir.resolve("masking.json");
        java.nio.file.Files.writeString(f, json.replace("|", "\n"));
        String msg = refuse("masking", "rules = '" + f + "'").getMessage();
        assertTrue(msg.contains("bad.toml:3: [filter.f] key 'rules': rules file " + f + ": "), msg);
        assertTrue(msg.contains(reason.trim()), msg);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "# c|rule a deny wildcard|rule b deny colums x|users %@% match any rules a b;  line 3: rule 'b': unknown type 'colums'",
        "rule a deny regex '(x'|users %@% match any rules a;  line 1: rule 'a': bad regular expression",
        "rule a deny wildcard|users %@% match any rules a zz;  line 2: unknown rule 'zz'",
        "rule a deny wildcard|users %@% match most rules a;  line 2: unknown match mode 'most'",
        "rule a deny wildcard on_queries select|upsert|users %@% match any rules a;  line 1: rule 'a': unknown operation 'upsert'",
        "rule a deny wildcard at_times 25:00:00-26:00:00|users %@% match any rules a;  line 1: rule 'a': bad time range",
        "rule a deny limit_queries 5 x 1|users %@% match any rules a;  line 1: rule 'a': limit_queries needs three integers",
        "rule a deny regex 'open|users %@% match any rules a;  line 1: unterminated quote",
        "rule a deny wildcard;  no 'users' line",
    })
    void aBadFirewallRulesFileIsRefusedWithFileLineAndReason(String text, String reason,
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path f = dir.resolve("fw.rules");
        java.nio.file.Files.writeString(f, text.replace("|users", "\nusers").replace("|rule", "\nrule"));
        String msg = refuse("dbfwfilter", "rules = '" + f + "'").getMessage();
        assertTrue(msg.contains("bad.toml:3: [filter.f] key 'rules': rules file " + f + ": "), msg);
        assertTrue(msg.contains(reason.trim()), msg);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = ';', value = {
        "qlafilter; filebase = '/tmp/q'|match = 'select (';  bad.toml:4: [filter.f] key 'match'; bad regular expression: Unclosed group",
        "qlafilter; match = 'x';  [filter.f] key 'filebase'; missing",
        "qlafilter; filebase = '/tmp/q'|log_type = 'everything';  bad.toml:4: [filter.f] key 'log_type'; unknown log type 'everything'",
        "qlafilter; filebase = '/tmp/q'|log_data = 'date,colour';  bad.toml:4: [filter.f] key 'log_data'; unknown field 'colour'",
        "qlafilter; filebase = '/tmp/q'|options = 'ignorecase,fast';  bad.toml:4: [filter.f] key 'options'; unknown option 'fast'",
        "qlafilter; filebase = '/tmp/q'|colour = 'red';  bad.toml:4: [filter.f] key 'colour'; unknown key",
        "regexfilter; match = '[a-';  [filter.f] key 'match'; bad regular expression",
        "regexfilter; match = 'a'|replace = 'b$2';  bad.toml:4: [filter.f] key 'replace'; no group 2",
        "regexfilter; match = 'a';  [filter.f] key 'replace'; missing",
        "namedserverfilter; match01 = 'x'|target01 = 'server9';  bad.toml:4: [filter.f] key 'target01'; unknown server 'server9'",
        "namedserverfilter; match = 'x'|server = 'nope';  bad.toml:4: [filter.f] key 'server'; unknown server 'nope'",
        "namedserverfilter; match02 = 'x';  [filter.f] key 'target02'; missing",
        "namedserverfilter; match01 = '(x'|target01 = 'server1';  bad.toml:3: [filter.f] key 'match01'; bad regular expression",
        "namedserverfilter; match01 = 'x'|target01 = '->all';  bad.toml:4: [filter.f] key 'target01'; unsupported target",
        "namedserverfilter; user = 'u';  [filter.f] key 'match'; at least one rule",
        "topfilter; filebase = '/tmp/t'|count = 0;  bad.toml:4: [filter.f] key 'count'; out of range",
        "topfilter; filebase = '/tmp/t'|exclude = '*x';  bad.toml:4: [filter.f] key 'exclude'; bad regular expression",
        "maxrows; max_resultset_return = 'truncate';  bad.toml:3: [filter.f] key 'max_resultset_return'; unknown value 'truncate'",
        "maxrows; max_resultset_size = '12Qi';  bad.toml:3: [filter.f] key 'max_resultset_size'; not a size",
        "ccrfilter; ignore = 'a)';  bad.toml:3: [filter.f] key 'ignore'; bad regular expression",
        "tee; service = 'svc9';  bad.toml:3: [filter.f] key 'service'; unknown service 'svc9'",
        "tee; target = 'svc1'|service = 'svc1';  [filter.f] key 'target'; both",
        "tee; match = 'x';  [filter.f] key 'service'; missing",
        "cache; storage = 'redis';  bad.toml:3: [filter.f] key 'storage'; unsupported storage 'redis'",
        "cache; invalidate = 'never';  bad.toml:3: [filter.f] key 'invalidate'; unsupported value 'never'",
        "cache; hard_ttl = 5|soft_ttl = 10;  bad.toml:4: [filter.f] key 'soft_ttl'; longer than hard_ttl",
        "cache; rules = '/no/such/rules.json';  bad.toml:3: [filter.f] key 'rules'; cannot read rules file",
        "dbfwfilter; action = 'drop';  [filter.f] key 'rules'; missing",
        "ccrfilter; count = -1;  bad.toml:3: [filter.f] key 'count'; must not be negative",
    })
    void isRefusedWithFileLineKeyAndReason(String module, String keys, String where, String reason) {
        String msg = refuse(module, keys.trim()).getMessage();
        assertTrue(msg.contains(where.trim()), msg);
        assertTrue(msg.contains(reason.trim()), msg);
    }
}
