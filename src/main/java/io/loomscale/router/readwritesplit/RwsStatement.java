package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.protocol.Packets;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** A prepared statement of a readwritesplit session, under the id the client knows. */
final class RwsStatement {
    final int id;
    /** {@link io.loomscale.classifier.QueryType} flags of its SQL. */
    final int type;
    final int params;
    /** Its SQL, for the session's temporary-table bookkeeping when it runs. */
    final String sql;
    /** Parameter types from the last COM_STMT_EXECUTE that sent them, or null. */
    byte[] types;
    /** Backends that have seen {@link #types} (an EXECUTE without types relies on them). */
    final Set<RwsBackend> typesSent = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Where the last EXECUTE went (COM_STMT_FETCH follows it). */
    RwsBackend lastTarget;

    RwsStatement(int id, int type, int params, String sql) {
        this.id = id;
        this.type = type;
        this.params = params;
        this.sql = sql;
    }

    /** Whether it names one of the session's temporary tables (which only the primary has). */
    boolean usesTempTable(Set<String> tempTables) {
        return !tempTables.isEmpty() && Classifier.referencesAny(sql, tempTables);
    }

    /**
     * The client's COM_STMT_EXECUTE {@code original} as {@code target} must get it: under
     * {@code target}'s own statement id (it must have prepared the statement), with the parameter
     * types put back in when the client left them out and {@code target} never got them. The
     * result is {@code original} itself, changed in place, unless types were added or
     * {@code copy} asks to keep the client's packet as it is (for a retry or a replay). Call
     * {@link #sent} once it is written.
     */
    byte[] translate(byte[] original, RwsBackend target, boolean copy) {
        byte[] p = packetFor(original, target);
        if (p == original && copy) {
            p = original.clone();
        }
        Wire.put4(p, Packets.HEADER + 1, target.statementIds.get(id));
        return p;
    }

    /**
     * The EXECUTE packet to send to {@code target}: the client's, or, when the client sent no
     * parameter types and {@code target} has not seen the ones sent earlier (they went to another
     * backend), a copy with the types put back in. Changes nothing; see {@link #sent}.
     */
    private byte[] packetFor(byte[] p, RwsBackend target) {
        int flagPos = typesFlagPosition(p);
        if (flagPos < 0 || p[flagPos] == 1 || types == null || typesSent.contains(target)) {
            return p;
        }
        int payload = p.length - Packets.HEADER + types.length;
        if (payload >= Packets.MAX_PAYLOAD) {
            return p; // would need a split packet: left as is (the backend keeps its own earlier types)
        }
        byte[] out = new byte[p.length + types.length];
        System.arraycopy(p, 0, out, 0, flagPos);
        out[flagPos] = 1;
        System.arraycopy(types, 0, out, flagPos + 1, types.length);
        System.arraycopy(p, flagPos + 1, out, flagPos + 1 + types.length, p.length - flagPos - 1);
        Packets.writeHeader(out, 0, payload, 0);
        return out;
    }

    /** {@code sent} (made by {@link #packetFor} from the client's {@code original}) went to {@code target}: records the types it carried. */
    void sent(byte[] original, byte[] sent, RwsBackend target) {
        int flagPos = typesFlagPosition(original);
        if (flagPos < 0) {
            return;
        }
        if (original[flagPos] == 1) {
            int end = flagPos + 1 + 2 * params;
            if (end <= original.length) {
                types = Arrays.copyOfRange(original, flagPos + 1, end);
                typesSent.clear();
                typesSent.add(target);
            }
        } else if (sent != original) {
            typesSent.add(target);
        }
    }

    /** Where COM_STMT_EXECUTE's "new params bound" flag is, or -1 (no parameters, or too short). */
    private int typesFlagPosition(byte[] p) {
        if (params == 0) {
            return -1;
        }
        int flagPos = Packets.HEADER + 10 + (params + 7) / 8;
        return p.length > flagPos ? flagPos : -1;
    }
}
