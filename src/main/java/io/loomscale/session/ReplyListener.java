package io.loomscale.session;

import java.io.IOException;

/**
 * What a filter registers on a statement to hear of its reply ({@link Statement#onReplyEnd},
 * {@link Statement#collectReply}). Called on the session's virtual thread.
 */
@FunctionalInterface
public interface ReplyListener {
    void replyEnded(Reply reply) throws IOException;
}
