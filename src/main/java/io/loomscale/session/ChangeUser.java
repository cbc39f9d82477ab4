package io.loomscale.session;

import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.Payload;
import io.loomscale.protocol.ReplyTracker;

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
        byte[] cannotAnswer = null;
        for (int round = 0; round < 4; round++) {
            byte[] r = wait.await(b);
            int h = Packets.firstByte(r);
            if (h != Packets.EOF) {
                // The server's refusal of an answer the proxy could not give: say why instead.
                return h == Packets.ERR && cannotAnswer != null ? cannotAnswer : r;
            }
            byte[] s;
            try {
                s = BackendConnection.answerSwitch(b.server(), r, stage1, login.clearPassword(),
                        b.endpoint().tls() != null);
            } catch (BackendException e) {
                // An empty answer ends the exchange (the server refuses it and keeps the previous
                // user), so the connection is not left waiting in the middle of it.
                s = new byte[0];
                cannotAnswer = new io.loomscale.protocol.ErrPacket(
                        io.loomscale.protocol.ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                        "LoomScale: " + e.getMessage()).encode(0);
            }
            b.endpoint().send(new PacketBuilder(s.length + 4).bytes(s).build(Packets.sequence(r) + 1), expect);
        }
        throw new IOException("too many authentication rounds changing user on " + b);
    }
}
