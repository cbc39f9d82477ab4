package io.loomscale.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyTrackerTest {

    /** Feeds a byte stream packet by packet; returns the index (in packets) of each reply end. */
    private static List<Integer> feed(ReplyTracker t, byte[] stream) {
        ByteBuffer b = ByteBuffer.wrap(stream);
        List<Integer> ends = new ArrayList<>();
        int n = 0;
        while (b.hasRemaining()) {
            int pos = b.position();
            int len = Packets.payloadLength(b, pos);
            if (t.onPacket(b, pos + 4, len)) {
                ends.add(n);
            }
            b.position(pos + 4 + len);
            n++;
        }
        return ends;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resultSetEndsAtItsTerminator(boolean deprecateEof) {
        ReplyTracker t = new ReplyTracker(deprecateEof);
        t.expect(ReplyTracker.RESULT | ReplyTracker.FORWARD);
        byte[] rs = Fixtures.resultSet(deprecateEof, ServerStatus.AUTOCOMMIT, 3, 5);
        int packets = 1 + 3 + (deprecateEof ? 0 : 1) + 5 + 1;
        assertEquals(List.of(packets - 1), feed(t, rs));
        assertTrue(t.isIdle());
        assertEquals(ServerStatus.AUTOCOMMIT, t.lastStatus());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void moreResultsChainsResultSetsAndOk(boolean deprecateEof) {
        ReplyTracker t = new ReplyTracker(deprecateEof);
        t.expect(ReplyTracker.RESULT);
        int more = ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS;
        byte[] stream = Fixtures.concat(
                Fixtures.resultSet(deprecateEof, more, 1, 2),
                Fixtures.resultSet(deprecateEof, more, 2, 0),
                Fixtures.ok(1, ServerStatus.AUTOCOMMIT));
        List<Integer> ends = feed(t, stream);
        assertEquals(1, ends.size());
        assertTrue(t.isIdle());
    }

    @Test
    void okWithMoreResultsThenErrEndsAtErr() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.RESULT);
        byte[] stream = Fixtures.concat(Fixtures.ok(1, ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS),
                Fixtures.err(2));
        assertEquals(List.of(1), feed(t, stream));
        assertEquals(Packets.ERR, t.lastHeader());
    }

    @Test
    void errorInTheMiddleOfRowsEndsTheReply() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.RESULT);
        byte[] stream = Fixtures.concat(new PacketBuilder().lenenc(1).build(1), Fixtures.columnDef(2, "a"),
                Fixtures.eof(3, 2), Fixtures.textRow(4, "x"), Fixtures.err(5));
        assertEquals(List.of(4), feed(t, stream));
    }

    @Test
    void localInfileRequestWaitsForTheFinalOk() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.RESULT);
        byte[] request = new PacketBuilder().int1(0xfb).string("/tmp/x.csv").build(1);
        assertEquals(List.of(), feed(t, request));
        assertFalse(t.isIdle());
        assertEquals(List.of(0), feed(t, Fixtures.ok(4, 2)));
        assertTrue(t.isIdle());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void prepareOkWithParamsAndColumns(boolean deprecateEof) {
        ReplyTracker t = new ReplyTracker(deprecateEof);
        t.expect(ReplyTracker.PREPARE);
        List<byte[]> parts = new ArrayList<>();
        parts.add(new PacketBuilder().int1(0).int4(7).int2(2).int2(3).int1(0).int2(0).build(1));
        for (int i = 0; i < 3; i++) {
            parts.add(Fixtures.columnDef(2 + i, "?"));
        }
        if (!deprecateEof) {
            parts.add(Fixtures.eof(5, 2));
        }
        for (int i = 0; i < 2; i++) {
            parts.add(Fixtures.columnDef(6 + i, "c"));
        }
        if (!deprecateEof) {
            parts.add(Fixtures.eof(8, 2));
        }
        List<Integer> ends = feed(t, Fixtures.concat(parts.toArray(new byte[0][])));
        assertEquals(List.of(parts.size() - 1), ends);
    }

    @Test
    void prepareWithoutParamsOrColumnsIsOnePacket() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.PREPARE);
        assertEquals(List.of(0), feed(t, new PacketBuilder().int1(0).int4(1).int2(0).int2(0).int1(0).int2(0).build(1)));
    }

    @Test
    void cursorExecuteEndsAfterColumnDefinitions() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.RESULT | ReplyTracker.CURSOR);
        byte[] stream = Fixtures.concat(new PacketBuilder().lenenc(1).build(1), Fixtures.columnDef(2, "a"),
                Fixtures.eof(3, ServerStatus.AUTOCOMMIT | ServerStatus.CURSOR_EXISTS));
        assertEquals(List.of(2), feed(t, stream));
        t.expect(ReplyTracker.FETCH);
        assertEquals(List.of(2), feed(t, Fixtures.concat(Fixtures.textRow(1, "a"), Fixtures.textRow(2, "b"),
                Fixtures.eof(3, ServerStatus.LAST_ROW_SENT))));
    }

    @Test
    void pipelinedRepliesEndInOrder() {
        ReplyTracker t = new ReplyTracker(true);
        t.expect(ReplyTracker.ONE_PACKET);
        t.expect(ReplyTracker.RESULT);
        t.expect(ReplyTracker.ONE_PACKET);
        byte[] stream = Fixtures.concat(Fixtures.ok(1, 2), Fixtures.resultSet(true, 2, 1, 1), Fixtures.ok(1, 2));
        assertEquals(List.of(0, 4, 5), feed(t, stream));
        assertTrue(t.isIdle());
    }

    @Test
    void fieldListEndsAtEof() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.FIELD_LIST);
        assertEquals(List.of(2), feed(t, Fixtures.concat(Fixtures.columnDef(1, "a"), Fixtures.columnDef(2, "b"),
                Fixtures.eof(3, 2))));
    }

    @Test
    void binlogStreamRunsUntilEof() {
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.STREAM);
        byte[] event = new PacketBuilder().int1(0).bytes(new byte[40]).build(1);
        assertEquals(List.of(3), feed(t, Fixtures.concat(event, event, event, Fixtures.eof(4, 0))));
    }

    @Test
    void splitRowIsOneLogicalPacket() {
        // A 16 MiB row: a first part of exactly 0xffffff bytes whose content starts like an EOF,
        // then the rest; neither part may be taken for a terminator.
        ReplyTracker t = new ReplyTracker(false);
        t.expect(ReplyTracker.FETCH);
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(0, (byte) 0xfe);
        assertFalse(t.onPacket(b, 0, Packets.MAX_PAYLOAD));
        b.put(0, (byte) 0xfe);
        assertFalse(t.onPacket(b, 0, 5)); // continuation, even though it looks like an EOF
        assertTrue(t.onPacket(ByteBuffer.wrap(Fixtures.eof(3, 0)), 4, 5));
    }

    @Test
    void packetWithNothingOutstandingIsAProtocolError() {
        ReplyTracker t = new ReplyTracker(false);
        ByteBuffer ok = ByteBuffer.wrap(Fixtures.ok(1, 2));
        assertThrows(ProtocolException.class, () -> t.onPacket(ok, 4, ok.capacity() - 4));
    }

    @Test
    void kindOfCommands() {
        assertEquals(ReplyTracker.RESULT, ReplyTracker.kindOf(new PacketBuilder().int1(Commands.COM_QUERY).string("select 1").build(0)));
        assertEquals(ReplyTracker.RESULT | ReplyTracker.CURSOR, ReplyTracker.kindOf(
                new PacketBuilder().int1(Commands.COM_STMT_EXECUTE).int4(1).int1(1).int4(1).build(0)));
        assertEquals(ReplyTracker.RESULT, ReplyTracker.kindOf(
                new PacketBuilder().int1(Commands.COM_STMT_EXECUTE).int4(1).int1(0).int4(1).build(0)));
        assertEquals(0, ReplyTracker.kindOf(new PacketBuilder().int1(Commands.COM_STMT_CLOSE).int4(1).build(0)));
        assertEquals(ReplyTracker.ONE_PACKET, ReplyTracker.kindOf(new PacketBuilder().int1(Commands.COM_PING).build(0)));
        assertEquals(ReplyTracker.STREAM, ReplyTracker.kindOf(new PacketBuilder().int1(Commands.COM_BINLOG_DUMP).build(0)));
    }

    @Test
    void ringRefusesMoreThan256Outstanding() {
        ReplyTracker t = new ReplyTracker(false);
        for (int i = 0; i < 256; i++) {
            assertTrue(t.expect(ReplyTracker.ONE_PACKET));
        }
        assertFalse(t.expect(ReplyTracker.ONE_PACKET));
        assertEquals(256, t.outstanding());
    }
}
