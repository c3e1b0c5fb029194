package io.tokenbroker.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An RFC 9457 problem body: what every error of the broker answers with. */
@RegisterForReflection
public record ProblemDetail(String type, String title, int status, String detail) {

    /** Media type of a problem body. */
    public static final String MEDIA_TYPE = "application/problem+json";
}
