package io.tokenbroker.platform;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The platform's response envelope. Fields the document leaves loosely typed are read as JSON nodes
 * so that an odd answer is classified, not thrown at the caller as a parse error.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
record CredentialEnvelope(
        Integer code,
        String message,
        String trackId,
        JsonNode data,
        JsonNode extr,
        Long timestamp,
        @JsonProperty("_status") String status,
        Boolean ok) {

    @Override
    public String toString() {
        return "CredentialEnvelope[code=" + code + ", ok=" + ok + ", trackId=" + trackId + "]";
    }

    /** The Access-Token when the call succeeded, or {@code null}. */
    String token() {
        if (!Boolean.TRUE.equals(ok) || data == null || !data.isTextual() || data.asText().isBlank()) {
            return null;
        }
        return data.asText();
    }
}
