package io.loomscale.convert;

import java.util.List;

/**
 * The result of converting a MaxScale configuration: the LoomScale TOML text and the notes
 * about everything that was dropped or changed, object by object (the global section,
 * servers, monitors, filters, services, listeners).
 */
public record Conversion(String toml, List<Note> notes) {

    public Conversion {
        notes = List.copyOf(notes);
    }

    /** The notes of one kind. */
    public List<Note> notes(Note.Kind kind) {
        return notes.stream().filter(n -> n.kind() == kind).toList();
    }
}
