package io.tokenbroker.security;

import io.tokenbroker.config.BrokerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;

/**
 * Recognises callers by their Kubernetes ServiceAccount token: a JWT signed by the cluster's
 * service-account issuer, for the broker's audience, unexpired, issued (iat) no later than now and
 * for no longer than {@code max-token-lifetime}, whose subject
 * {@code system:serviceaccount:NS:NAME} is a configured caller's {@code service-account}.
 * A verified token is remembered until it expires or the issuer's keys change ({@link VerifiedTokens}),
 * so a caller pays for the signature check once.
 */
final class ServiceAccountTokens {

    private static final Logger LOG = Logger.getLogger(ServiceAccountTokens.class);
    /**
     * Bounds the memory of verified tokens. The kubelet renews a projected token at 80 % of its life,
     * so each calling pod presents one or two live tokens at a time: 4,096 covers thousands of pods.
     */
    private static final int MAX_REMEMBERED = 4096;

    /** The failed check logged for each jose4j error code, first match wins. */
    private static final List<Map.Entry<Integer, String>> FAILED_CHECKS = List.of(
            Map.entry(ErrorCodes.EXPIRED, "expired"),
            Map.entry(ErrorCodes.AUDIENCE_INVALID, "wrong audience"),
            Map.entry(ErrorCodes.AUDIENCE_MISSING, "wrong audience"),
            Map.entry(ErrorCodes.ISSUER_INVALID, "wrong issuer"),
            Map.entry(ErrorCodes.ISSUER_MISSING, "wrong issuer"),
            Map.entry(ErrorCodes.SIGNATURE_INVALID, "bad signature"),
            Map.entry(ErrorCodes.SIGNATURE_MISSING, "bad signature"),
            Map.entry(ErrorCodes.ISSUED_AT_MISSING, "no iat"),
            Map.entry(ErrorCodes.ISSUED_AT_INVALID_FUTURE, "iat in the future"),
            Map.entry(ErrorCodes.EXPIRATION_TOO_FAR_IN_FUTURE, "lives longer than max-token-lifetime"));

    private final Map<String, Caller> callersBySubject;
    private final JwtConsumer consumer;
    private final ServiceAccountKeys keys;
    private final VerifiedTokens verified;

    ServiceAccountTokens(BrokerConfig.WorkloadIdentity config, ServiceAccountKeys keys,
            Map<String, Caller> callersBySubject, Clock clock) {
        this(config, keys, callersBySubject, clock, MAX_REMEMBERED);
    }

    /** As above, remembering at most {@code maxRemembered} verified tokens. */
    ServiceAccountTokens(BrokerConfig.WorkloadIdentity config, ServiceAccountKeys keys,
            Map<String, Caller> callersBySubject, Clock clock, long maxRemembered) {
        this.callersBySubject = Map.copyOf(callersBySubject);
        this.keys = keys;
        this.verified = new VerifiedTokens(keys::generation, maxRemembered, clock);
        this.consumer = consumer(config, keys);
    }

    private static JwtConsumer consumer(BrokerConfig.WorkloadIdentity config, ServiceAccountKeys keys) {
        int maxLifetime = (int) config.maxTokenLifetime().toSeconds();
        return new JwtConsumerBuilder()
                .setExpectedIssuer(config.issuer())
                .setExpectedAudience(config.audience())
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                // An iat later than now + clock-skew is refused. (One older than the longest lifetime
                // belongs to an expired token anyway: jose4j wants a bound for the past too.)
                .setIssuedAtRestrictions(0, maxLifetime)
                .registerValidator(new LifetimeLimit(maxLifetime))
                .setVerificationKeyResolver(keys)
                // What Kubernetes signs with; everything else, "none" above all, is refused.
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
                        AlgorithmIdentifiers.RSA_USING_SHA512, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384)
                .build();
    }

    /**
     * Refuses a token issued to live longer ({@code exp - iat}) than {@code max-token-lifetime}: a
     * stolen token is good for as long as it lives, whoever asked for it.
     */
    private record LifetimeLimit(long maxSeconds) implements ErrorCodeValidator {

        @Override
        public Error validate(JwtContext context) throws MalformedClaimException {
            NumericDate issued = context.getJwtClaims().getIssuedAt();
            NumericDate expires = context.getJwtClaims().getExpirationTime();
            if (issued == null || expires == null || expires.getValue() - issued.getValue() <= maxSeconds) {
                return null; // a missing claim is refused by the checks that require it
            }
            return new Error(ErrorCodes.EXPIRATION_TOO_FAR_IN_FUTURE, "exp - iat exceeds " + maxSeconds + " s");
        }
    }

    /** Whether {@code credential} has the shape of a JWT (three base64url parts), not of an API key. */
    static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        int second = first < 0 ? -1 : credential.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && credential.indexOf('.', second + 1) < 0;
    }

    /**
     * The caller {@code jwt} identifies.
     *
     * @throws NotAuthenticatedException if it does not verify or names no configured caller
     */
    Caller authenticate(String jwt) {
        Caller known = remembered(jwt);
        if (known != null) {
            return known;
        }
        long keyGeneration = keys.generation();
        JwtClaims claims = verify(jwt);
        Caller caller = callerOf(claims);
        verified.remember(jwt, caller, expiresAt(claims), keyGeneration);
        return caller;
    }

    /**
     * The caller of {@code jwt} if it was verified before, under the keys in hand, and has not
     * expired; null if it needs verifying.
     */
    Caller remembered(String jwt) {
        return verified.callerOf(jwt);
    }

    /** How many verified tokens are remembered. */
    long rememberedCount() {
        return verified.size();
    }

    private JwtClaims verify(String jwt) {
        try {
            return consumer.processToClaims(jwt);
        } catch (InvalidJwtException invalid) {
            // Only the failed check is logged: jose4j's messages can quote the whole token.
            LOG.debugf("ServiceAccount token refused: %s", failedCheck(invalid));
            throw new NotAuthenticatedException("the ServiceAccount token is not valid for this broker");
        }
    }

    private static String failedCheck(InvalidJwtException invalid) {
        return FAILED_CHECKS.stream().filter(check -> invalid.hasErrorCode(check.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("unverifiable (unknown signing key, refused algorithm or malformed)");
    }

    private Caller callerOf(JwtClaims claims) {
        try {
            return Optional.ofNullable(callersBySubject.get(claims.getSubject())).orElseThrow(() -> {
                LOG.debugf("ServiceAccount token refused: no caller is configured for its subject");
                return new NotAuthenticatedException("the ServiceAccount is not a caller of this broker");
            });
        } catch (MalformedClaimException e) {
            throw new NotAuthenticatedException("the ServiceAccount token is not valid for this broker");
        }
    }

    private static Instant expiresAt(JwtClaims claims) {
        try {
            return Instant.ofEpochMilli(claims.getExpirationTime().getValueInMillis());
        } catch (MalformedClaimException e) {
            // Not reachable: the consumer required a well-formed exp. Without one, the token is not remembered.
            return Instant.EPOCH;
        }
    }
}
