package io.loomscale.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A read-only {@link CharSequence} over part of a byte array, one char per byte (ISO-8859-1), so
 * a lexer can scan SQL in a packet without decoding it into a String. SQL keywords, operators and
 * quotes are ASCII, which UTF-8 leaves as single bytes, so they read the same; the bytes of a
 * multi-byte character become chars above 127 that match no keyword.
 */
public final class ByteChars implements CharSequence {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    public ByteChars(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (bytes[offset + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) {
            throw new IndexOutOfBoundsException(start + ".." + end + " of " + length);
        }
        return new ByteChars(bytes, offset + start, end - start);
    }

    @Override
    public String toString() {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /** The bytes decoded as UTF-8 (the real text, for logs and error messages). */
    public String toUtf8() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
