package io.loomscale.router.readwritesplit;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** A prepared statement of a readwritesplit session, under the id the client knows. */
final class RwsStatement {
    final int id;
    /** {@link io.loomscale.classifier.QueryType} flags of its SQL. */
    final int type;
    final int params;
    /** Reads a temporary table of the session: the primary only. */
    final boolean usesTempTable;
    /** Parameter types from the last COM_STMT_EXECUTE that sent them, or null. */
    byte[] types;
    /** Backends that have seen {@link #types} (an EXECUTE without types relies on them). */
    final Set<RwsBackend> typesSent = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Where the last EXECUTE went (COM_STMT_FETCH follows it). */
    RwsBackend lastTarget;

    RwsStatement(int id, int type, int params, boolean usesTempTable) {
        this.id = id;
        this.type = type;
        this.params = params;
        this.usesTempTable = usesTempTable;
    }
}
