#!/usr/bin/env bash
# The README's quick start, against ./mvnw quarkus:dev on localhost (8080 and 9000). Every command here
# is in the README as written; check-quick-start.sh starts dev mode and runs this file, and
# ReadmeCommandsTest checks that the README's commands are all in this folder.
set -euo pipefail

# A token, as JSON and as bare text.
curl -H 'Authorization: Bearer dev-key' localhost:8080/token
curl -H 'Authorization: Bearer dev-key' -H 'Accept: text/plain' localhost:8080/token

# The platform refused token T: report it, and get the one that replaces it (for every replica).
T=$(curl -s -H 'Authorization: Bearer dev-key' -H 'Accept: text/plain' localhost:8080/token)
curl -H 'Authorization: Bearer dev-key' -H 'Content-Type: application/json' -d "{\"rejectedToken\":\"$T\"}" localhost:8080/token/refresh

# A business call: the broker adds Access-Token and Request-Id, and the platform (here the simulator) answers.
curl -H 'Authorization: Bearer dev-key' 'localhost:8080/platform/default/openapi/hello?x=1'

# Without a key: 401, application/problem+json, WWW-Authenticate: Bearer.
curl -i localhost:8080/token

# Health, metrics and the operators' view are on the management port.
curl localhost:9000/q/health/ready
curl -s localhost:9000/q/metrics | grep '^broker_token'
curl -H 'Authorization: Bearer dev-key' localhost:9000/q/broker/clients
