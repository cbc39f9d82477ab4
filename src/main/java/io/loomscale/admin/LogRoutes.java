package io.loomscale.admin;

import io.loomscale.config.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/maxscale/logs}: the log file and its level ({@code GET}, {@code PATCH} of
 * {@code data.attributes.parameters.log_level}) and rotation ({@code POST .../flush}). Refused
 * with 403 when the process logs to standard error. Part of {@link AdminApi}.
 */
final class LogRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    private final AdminApi api;
    private final LogFile logs;

    LogRoutes(AdminApi api, LogFile logs) {
        this.api = api;
        this.logs = logs;
    }

    Object handle(AdminApi.Request r) throws InterruptedException {
        List<String> p = r.path();
        if (logs == null) {
            throw new ApiException(403, "the proxy does not write a log file (it logs to standard error); "
                    + "nothing to rotate or re-level");
        }
        if (p.size() == 3 && r.method().equals("GET")) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("log_file", logs.file().toString());
            a.put("parameters", Map.of("log_level", logs.level()));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("id", "logs");
            data.put("type", "logs");
            data.put("attributes", a);
            return Resources.document(data, api.self(r));
        }
        if (p.size() == 3 && r.method().equals("PATCH")) {
            Object level = Json.at(AdminApi.body(r), "data", "attributes", "parameters", "log_level");
            if (!(level instanceof String s)) {
                throw new ApiException(400, "expected data.attributes.parameters.log_level as a string");
            }
            return api.locked(() -> {
                logs.level(s);
                log.info("admin: log_level is now {}", s);
                return null;
            });
        }
        if (p.size() == 4 && p.get(3).equals("flush")) {
            AdminApi.requireMethod(r, "POST");
            try {
                logs.rotate();
            } catch (IOException e) {
                throw new ApiException(500, "cannot rotate " + logs.file() + ": " + e.getMessage());
            }
            log.info("admin: log file rotated");
            return null;
        }
        throw AdminApi.noPath(r);
    }
}
