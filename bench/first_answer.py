#!/usr/bin/env python3
"""Launches a command and prints the milliseconds until URL first answers 200, then stops it.

Usage: first_answer.py URL AUTHORIZATION LOG -- COMMAND...
Polls every 5 ms from this process (no curl per try, which on 2 cores would slow the start it
measures). AUTHORIZATION may be empty. The command's output goes to LOG.
"""
import http.client
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit


def main():
    url, authorization, log = sys.argv[1:4]
    command = sys.argv[sys.argv.index("--") + 1:]
    target = urlsplit(url)
    headers = {"Authorization": authorization} if authorization else {}
    with open(log, "w") as output:
        launched = time.monotonic()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            while time.monotonic() - launched < 60:
                if process.poll() is not None:
                    sys.exit(f"the command ended before answering; see {log}")
                if answers(target, headers):
                    print(round((time.monotonic() - launched) * 1000))
                    return
                time.sleep(0.005)
            sys.exit(f"no answer from {url} within 60 s; see {log}")
        finally:
            process.terminate()
            process.wait()


def answers(target, headers):
    try:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
        connection.request("GET", target.path + ("?" + target.query if target.query else ""), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (ConnectionError, socket.timeout, http.client.HTTPException):
        return False


if __name__ == "__main__":
    main()
