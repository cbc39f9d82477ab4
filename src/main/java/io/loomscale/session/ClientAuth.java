package io.loomscale.session;

import io.loomscale.protocol.Ed25519Password;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;

import java.util.Arrays;
import java.util.Set;

/**
 * Which authentication exchange the proxy runs with a client, by the plugin of the client's
 * account, and the packets for it. Stateless.
 *
 * <ul>
 * <li>{@code mysql_native_password}: checked by the proxy (scramble of its seed); it recovers
 * SHA1(password) and logs in to the servers with it.</li>
 * <li>{@code ed25519}: over TLS the proxy asks for {@code mysql_clear_password}, checks the
 * password against the stored public key, and logs in to servers with a client_ed25519 signature
 * of their nonce (it knows the password). Without TLS it asks for {@code client_ed25519} and
 * checks the signature against the stored key; the password stays unknown, so it can log in to
 * a server only where that account has no password check it cannot answer: such servers refuse
 * and the client gets that error (use TLS).</li>
 * <li>{@code pam} (and other plugins whose server side asks for the clear-text password, such as
 * {@code cleartext_plugin_server}): PAM pass-through, only over TLS: the proxy asks for
 * {@code mysql_clear_password} and the servers check it when the proxy logs in with it (a wrong
 * password gets the server's ERR 1045).</li>
 * <li>Anything else: ERR 1251 naming the plugin.</li>
 * </ul>
 *
 * @see <a href="https://mariadb.com/kb/en/connection/#authentication-switch-request">MariaDB: auth switch request</a>
 */
final class ClientAuth {
    static final String CLEAR_PASSWORD = "mysql_clear_password";
    /** Server-side plugins whose password only the server can check, given in clear text. */
    static final Set<String> PASS_THROUGH = Set.of("pam", "cleartext_plugin_server");

    private ClientAuth() {
    }

    /** Whether an account with {@code plugin} may log in by sending its password over TLS. */
    static boolean clearTextAllowed(String plugin) {
        return PASS_THROUGH.contains(plugin) || Ed25519Password.SERVER_PLUGIN.equals(plugin)
                || NativePassword.PLUGIN.equals(plugin);
    }

    /** An auth switch request with exactly {@code data} after the plugin name (client_ed25519 wants 32 bytes). */
    static byte[] switchTo(String plugin, byte[] data, int seq) {
        return new PacketBuilder(plugin.length() + data.length + 2).int1(Packets.EOF).nulString(plugin).bytes(data)
                .build(seq);
    }

    /** The password of a mysql_clear_password reply packet (NUL-terminated). */
    static byte[] clearPassword(byte[] packet) {
        int end = packet.length;
        if (end > Packets.HEADER && packet[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOfRange(packet, Packets.HEADER, end);
    }

    /** ERR 1251 for an account the proxy cannot log in (its plugin, or pam without TLS). */
    static ErrPacket unsupported(String user, String host, String plugin, boolean tls) {
        String why = PASS_THROUGH.contains(plugin) && !tls
                ? "; its password can only be passed to the servers in clear text, which the proxy does over TLS only:"
                        + " connect with TLS"
                : "; the proxy supports mysql_native_password, ed25519, and pam over TLS";
        return new ErrPacket(ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "Client does not support authentication protocol requested by server; account '" + user + "'@'"
                        + host + "' uses authentication plugin '" + plugin + "'" + why);
    }
}
