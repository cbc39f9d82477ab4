package io.loomscale.session;

import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.Payload;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.AuthSwitchRequest;

import java.io.IOException;

/**
 * COM_CHANGE_USER as the client sent it, and its replay on a backend with credentials computed
 * for that backend's own seed.
 *
 * @see <a href="https://mariadb.com/kb/en/com_change_user/">MariaDB: COM_CHANGE_USER</a>
 */
record ChangeUser(String user, byte[] authResponse, String database, int charset, String plugin, byte[] attrs) {

    @FunctionalInterface
    interface CaptureWait {
        byte[] await(BackendConnection b) throws IOException, InterruptedException;
    }

    static ChangeUser decode(byte[] packet, long caps) {
        Payload p = Payload.ofPacket(packet);
        p.int1();
        String user = p.nulString();
        byte[] auth = Capabilities.has(caps, Capabilities.SECURE_CONNECTION) ? p.bytes(p.int1()) : p.nulBytes();
        String db = p.hasRemaining() ? p.nulString() : "";
        int charset = p.remaining() >= 2 ? p.int2() : 0;
        String plugin = Capabilities.has(caps, Capabilities.PLUGIN_AUTH) && p.hasRemaining() ? p.nulString() : null;
        byte[] attrs = null;
        if (Capabilities.has(caps, Capabilities.CONNECT_ATTRS) && p.hasRemaining()) {
            attrs = p.restBytes();
        }
        return new ChangeUser(user, auth, db.isEmpty() ? null : db, charset, plugin, attrs);
    }

    /** Changes the user on one backend; returns the backend's final OK or ERR packet. */
    static byte[] runOnBackend(BackendConnection b, LoginInfo login, ChangeUser cu, CaptureWait wait)
            throws IOException, InterruptedException {
        byte[] stage1 = login.stage1();
        byte[] scramble = stage1 == null ? new byte[0] : NativePassword.scrambleWithStage1(b.handshake().seed(), stage1);
        PacketBuilder pb = new PacketBuilder(64).int1(0x11).nulString(login.user()).int1(scramble.length).bytes(scramble)
                .nulString(login.database() == null ? "" : login.database())
                .int2(cu.charset() != 0 ? cu.charset() : login.collation())
                .nulString(NativePassword.PLUGIN);
        if (Capabilities.has(login.capabilities(), Capabilities.CONNECT_ATTRS)) {
            if (cu.attrs() != null) {
                pb.bytes(cu.attrs());
            } else {
                pb.lenenc(0);
            }
        }
        int expect = ReplyTracker.ONE_PACKET | ReplyTracker.CAPTURE;
        b.send(pb.build(0), expect);
        for (int round = 0; round < 4; round++) {
            byte[] r = wait.await(b);
            int h = Packets.firstByte(r);
            if (h != Packets.EOF) {
                return r;
            }
            AuthSwitchRequest sw = AuthSwitchRequest.decode(r);
            if (!NativePassword.PLUGIN.equals(sw.plugin())) {
                return new io.loomscale.protocol.ErrPacket(io.loomscale.protocol.ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE,
                        "08004", "Server " + b.server().name() + " asks for auth plugin '" + sw.plugin()
                        + "', which LoomScale cannot use on the client's behalf").encode(0);
            }
            byte[] s = stage1 == null ? new byte[0] : NativePassword.scrambleWithStage1(sw.data(), stage1);
            b.endpoint().send(new PacketBuilder(24).bytes(s).build(Packets.sequence(r) + 1), expect);
        }
        throw new IOException("too many authentication rounds changing user on " + b);
    }
}
