package dev.llmtrace.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a prompt or a completion in whichever shape the sender wrote them, for OpenInference's
 * {@code llm.input_messages.N.message.*} and {@code llm.output_messages.N.message.*}: OpenRouter Broadcast's
 * {@code {"messages": [...]}} and {@code {"completion": "..."}}, OTel GenAI's {@code gen_ai.input.messages} /
 * {@code gen_ai.output.messages} (roles with {@code parts}), an OpenAI message array, or plain text. Only what
 * the document says: a shape it does not recognise gives no messages rather than a guess.
 */
final class MessageLists {
    /** One message; {@code content} is its text (text parts joined), or null when it has none (tool calls only). */
    record Message(String role, String content) { }

    /** Bounds the attributes one span can gain (each message adds two). */
    static final int MAX_MESSAGES = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MessageLists() { }

    /** The prompt's messages; a plain-text prompt is one user message. */
    static List<Message> input(String prompt) {
        JsonNode doc = parse(prompt);
        if (doc == null) {
            return isJsonLike(prompt) ? List.of() : List.of(new Message("user", prompt));
        }
        JsonNode list = doc.isArray() ? doc : doc.path("messages");
        return messages(list, "user");
    }

    /** The completion's messages; a plain-text completion is one assistant message. */
    static List<Message> output(String completion) {
        JsonNode doc = parse(completion);
        if (doc == null) {
            return isJsonLike(completion) ? List.of() : List.of(new Message("assistant", completion));
        }
        if (doc.isArray()) {
            return messages(doc, "assistant");
        }
        if (doc.path("completion").isTextual()) { // OpenRouter Broadcast
            return List.of(new Message("assistant", doc.get("completion").asText()));
        }
        if (doc.path("choices").isArray()) { // a chat completion response body
            List<Message> out = new ArrayList<>();
            for (JsonNode choice : doc.get("choices")) {
                Message m = message(choice.path("message"), "assistant");
                if (m != null && out.size() < MAX_MESSAGES) {
                    out.add(m);
                }
            }
            return out;
        }
        Message single = message(doc, "assistant");
        return single == null ? List.of() : List.of(single);
    }

    private static List<Message> messages(JsonNode list, String defaultRole) {
        if (!list.isArray()) {
            return List.of();
        }
        List<Message> out = new ArrayList<>(Math.min(list.size(), MAX_MESSAGES));
        for (JsonNode node : list) {
            if (out.size() == MAX_MESSAGES) {
                break;
            }
            Message m = message(node, defaultRole);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private static Message message(JsonNode node, String defaultRole) {
        if (!node.isObject()) {
            return null;
        }
        String role = node.path("role").isTextual() ? node.get("role").asText() : null;
        String content = text(node.has("content") ? node.get("content") : node.path("parts"));
        if (role == null && content == null) {
            return null;
        }
        return new Message(role != null ? role : defaultRole, content);
    }

    /** A string, or the text parts of a part list ({@code {"type":"text","text"|"content": ...}}) joined by newlines. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return null;
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText("text");
            JsonNode text = part.has("text") ? part.get("text") : part.path("content");
            if (type.equals("text") && text.isTextual()) {
                if (!joined.isEmpty()) {
                    joined.append('\n');
                }
                joined.append(text.asText());
            }
        }
        return joined.isEmpty() ? null : joined.toString();
    }

    private static JsonNode parse(String s) {
        if (!isJsonLike(s)) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean isJsonLike(String s) {
        String t = s.stripLeading();
        return t.startsWith("{") || t.startsWith("[");
    }
}
