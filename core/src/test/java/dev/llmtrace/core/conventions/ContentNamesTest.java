package dev.llmtrace.core.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The content names of the three conventions, answered the same the first time and every time after. */
class ContentNamesTest {

    @Test
    void contentNamesAndOthersAreToldApartAgainAndAgain() {
        List<String> content = List.of("gen_ai.prompt", "gen_ai.completion", "gen_ai.input.messages", "gen_ai.output.messages",
                "gen_ai.system_instructions", "input.value", "output.value", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result",
                "llm.input_messages.0.message.content", "llm.output_messages.1.message.role", "llm.tools.0.tool.json_schema",
                "llm.prompt_template.template", "gen_ai.prompt.0.content", "gen_ai.completion.0.content",
                "llm.prompts", "llm.prompts.0.prompt.text", "llm.choices.0.completion.text", "llm.function_call", "reranker.query",
                "retrieval.documents.0.document.content", "reranker.input_documents.3.document.content",
                "reranker.output_documents.0.document.content", "embedding.embeddings.0.embedding.text");
        List<String> others = List.of("gen_ai.request.model", "input.mime_type", "output.mime_type", "llm.model_name", "gen_ai.promptx",
                "llm.input_messages", "trace.metadata.feature", "", "x".repeat(500), "retrieval.documents.0.document.id",
                "retrieval.documents.0.document.score", "reranker.model_name", "reranker.top_k", "embedding.model_name",
                "embedding.embeddings.0.embedding.vector", "document.content.type");
        for (int again = 0; again < 3; again++) {
            for (String name : content) {
                assertEquals(true, ContentNames.isContent(new String(name)), name); // equal, not the same String
            }
            for (String name : others) {
                assertEquals(false, ContentNames.isContent(name), name);
            }
        }
    }

    @Test
    void namesSharingASlotGetTheirOwnAnswers() {
        String content = "llm.tools.0";
        String other = null;
        for (int i = 0; other == null; i++) { // a name that is not content, in the same slot of the table
            String candidate = "llm.toolz." + i;
            if (ContentNames.slot(candidate) == ContentNames.slot(content)) {
                other = candidate;
            }
        }
        for (int again = 0; again < 3; again++) {
            assertEquals(true, ContentNames.isContent(content));
            assertEquals(false, ContentNames.isContent(other), other);
        }
    }
}
