package io.loomscale.convert;

/**
 * One thing the converter tells the user about a MaxScale parameter or object: that it was
 * not carried over ({@link Kind#DROPPED}) or carried over with a change worth checking
 * ({@link Kind#CHANGED}), and why.
 *
 * @param kind    dropped or changed
 * @param where   {@code FILE:LINE} of the parameter (or of the section)
 * @param section the MaxScale section name
 * @param key     the parameter, or null for the whole section
 * @param reason  why, in a sentence a MaxScale user understands
 */
public record Note(Kind kind, String where, String section, String key, String reason) {

    /** What happened to the parameter. */
    public enum Kind { DROPPED, CHANGED }

    @Override
    public String toString() {
        return where + ": [" + section + "]" + (key == null ? "" : " " + key) + ": "
                + (kind == Kind.DROPPED ? (key == null ? "section not carried over: " : "not carried over: ")
                        : "changed: ")
                + reason;
    }
}
