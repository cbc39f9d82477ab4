package io.loomscale.hint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The routing hints of one client session, following MaxScale's hintfilter: hints given in
 * comments for one statement, named hints defined for later, and a stack of hints that apply to
 * every statement while they are on it. Owned by the session's thread; not thread-safe.
 *
 * <p>{@link #process} reads a statement's hint comments in order and updates the state, then
 * returns the statement's hints: its own single-use hints first, then the hint on top of the
 * stack, if any. So a hint pushed by this statement ({@code maxscale begin route to master})
 * applies to it already, and one popped by it ({@code maxscale end}) does not. A router takes the
 * first routing hint and the first parameter of each name.
 *
 * <p>A statement without the text "maxscale" costs one scan and no allocation. Malformed hint
 * comments, and pushes of names never defined, are ignored. The stack and the named hints are
 * bounded ({@link #MAX_DEPTH}, {@link #MAX_NAMED}) so that a client cannot grow them without end;
 * pushes and definitions beyond the bound are ignored.
 */
public final class HintSession {
    /** The deepest the hint stack gets. */
    public static final int MAX_DEPTH = 64;
    /** The most named hints a session keeps. */
    public static final int MAX_NAMED = 256;

    private final Map<String, Hint> named = new HashMap<>();
    /** Each entry a one-hint immutable list, returned as is while it is on top. */
    private final ArrayDeque<List<Hint>> stack = new ArrayDeque<>();

    /**
     * Reads the hint comments of {@code sql}, updates the named hints and the stack, and returns the
     * hints that apply to this statement: an immutable list, empty when there are none.
     */
    public List<Hint> process(CharSequence sql) {
        if (!HintParser.mentionsTag(sql)) {
            return active();
        }
        List<Hint> own = null;
        for (HintParser.Action a : HintParser.parse(sql)) {
            switch (a.kind()) {
                case SINGLE -> {
                    if (own == null) {
                        own = new ArrayList<>(2);
                    }
                    own.add(a.hint());
                }
                case DEFINE -> define(a.name(), a.hint());
                case PUSH_NAMED -> {
                    Hint h = named.get(a.name());
                    if (h != null) {
                        push(h);
                    }
                }
                case DEFINE_AND_PUSH -> {
                    define(a.name(), a.hint());
                    push(a.hint());
                }
                case PUSH -> push(a.hint());
                case POP -> stack.pollFirst();
            }
        }
        if (own == null) {
            return active();
        }
        List<Hint> top = stack.peekFirst();
        if (top != null) {
            own.addAll(top);
        }
        return List.copyOf(own);
    }

    /**
     * Whether {@link #process} would return no hint for {@code sql} and change nothing: no hint
     * comment in it and none on the stack. One scan, no allocation (a selector thread's check).
     */
    public boolean isInert(CharSequence sql) {
        return stack.isEmpty() && !HintParser.mentionsTag(sql);
    }

    /** The number of hints on the stack (diagnostics and tests). */
    public int depth() {
        return stack.size();
    }

    private List<Hint> active() {
        List<Hint> top = stack.peekFirst();
        return top == null ? List.of() : top;
    }

    private void define(String name, Hint hint) {
        if (named.size() < MAX_NAMED || named.containsKey(name)) {
            named.put(name, hint);
        }
    }

    private void push(Hint hint) {
        if (stack.size() < MAX_DEPTH) {
            stack.push(List.of(hint));
        }
    }
}
