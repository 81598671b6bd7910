package dev.llmtrace.enrich;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AttributeNamesTest {
    @Test
    void eachNameIsNewOnceAcrossGrowth() {
        AttributeNames names = new AttributeNames();
        for (int i = 0; i < 500; i++) { // the table starts at 64 and grows several times
            assertTrue(names.add("attribute." + i), "attribute." + i);
            assertFalse(names.add("attribute." + i));
        }
        for (int i = 0; i < 500; i++) {
            assertFalse(names.add(new String("attribute." + i)), "an equal name, not only the same instance");
        }
        assertTrue(names.add("Aa"));
        assertTrue(names.add("BB"), "a different name with the same hash");
        assertFalse(names.add("BB"));
    }
}
