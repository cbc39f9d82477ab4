package io.loomscale.admin;

import io.loomscale.config.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * {@code /v1/users/inet[/NAME]}: the admin users (MaxScale's "inet" users): list, create
 * ({@code {"data": {"id", "attributes": {"password"}}}}), change the password, remove. Part of
 * {@link AdminApi}; changes run under its lock.
 */
final class UserRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    private final AdminApi api;
    private final AdminUsers users;
    private final Resources res;

    UserRoutes(AdminApi api, AdminUsers users, Resources res) {
        this.api = api;
        this.users = users;
        this.res = res;
    }

    Object handle(AdminApi.Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() < 3 || !p.get(2).equals("inet")) {
            throw new ApiException(404, "no such resource: /" + String.join("/", p) + "; admin users are under /v1/users/inet");
        }
        if (p.size() == 3) {
            AdminApi.requireMethod(r, "GET", "POST");
            if (r.method().equals("GET")) {
                return Resources.document(res.users(users), api.self(r));
            }
            Object doc = AdminApi.body(r);
            Object id = Json.at(doc, "data", "id");
            Object pw = Json.at(doc, "data", "attributes", "password");
            if (!(id instanceof String u) || !(pw instanceof String pass)) {
                throw new ApiException(400, "expected data.id and data.attributes.password as strings");
            }
            if (users.exists(u)) {
                throw new ApiException(403, "admin user '" + u + "' already exists");
            }
            return api.locked(() -> {
                users.put(u, pass);
                log.info("admin: admin user {} created", u);
                return null;
            });
        }
        if (p.size() == 4) {
            String u = p.get(3);
            AdminApi.requireMethod(r, "GET", "PATCH", "DELETE");
            if (!users.exists(u)) {
                throw new ApiException(404, "no admin user named '" + u + "'");
            }
            return switch (r.method()) {
                case "GET" -> Resources.document(res.users(users).stream()
                        .filter(o -> u.equals(((Map<?, ?>) o).get("id"))).findFirst().orElseThrow(), api.self(r));
                case "PATCH" -> {
                    Object pw = Json.at(AdminApi.body(r), "data", "attributes", "password");
                    if (!(pw instanceof String pass)) {
                        throw new ApiException(400, "expected data.attributes.password as a string");
                    }
                    yield api.locked(() -> {
                        users.put(u, pass);
                        log.info("admin: password of admin user {} changed", u);
                        return null;
                    });
                }
                default -> api.locked(() -> {
                    users.remove(u);
                    log.info("admin: admin user {} removed", u);
                    return null;
                });
            };
        }
        throw AdminApi.noPath(r);
    }
}
