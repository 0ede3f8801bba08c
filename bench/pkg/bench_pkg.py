#!/usr/bin/env python3
"""./vectra bench pkg: package hashing and verification throughput beside sha256sum on the
same file, fetching a large package over loopback beside curl downloading the same bytes from
the same server, and deduplication when a new version changes one file. Loopback only."""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def timed(command, **options):
    subprocess.run(["sync"])  # nobody pays for another step's dirty pages
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        sys.exit(f"bench pkg: {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return time.monotonic() - start, result.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectra", required=True)
    parser.add_argument("--size-mib", type=int, default=1024)
    arguments = parser.parse_args()
    vectra = arguments.vectra
    size = arguments.size_mib << 20

    with tempfile.TemporaryDirectory() as root:
        source = os.path.join(root, "source")
        os.makedirs(source)
        big = os.path.join(source, "big.bin")
        with open(big, "wb") as out:
            for _ in range(arguments.size_mib):
                out.write(os.urandom(1 << 20))
        open(os.path.join(source, "notes.txt"), "w").write("version 1\n")
        state = os.path.join(root, "state")
        subprocess.run([vectra, "machine", "--state-dir", state, "init", "--name", "bench"], capture_output=True, check=True)
        # No fleet here: the bench machine's own key is trusted explicitly (pkg verify checks signers).
        key = subprocess.run([vectra, "machine", "--state-dir", state, "key"], capture_output=True, text=True).stdout.strip()
        open(os.path.join(state, "trusted-keys"), "w").write(key + "\n")
        mib = size / (1 << 20)

        sha_time, _ = timed(["sha256sum", big])
        build_time, built = timed([vectra, "pkg", "--state-dir", state, "build", source])
        manifest = re.search(r"package ([0-9a-f]{64})", built).group(1)
        timed([vectra, "pkg", "--state-dir", state, "release", "data", "1.0.0", manifest])
        verify_time, _ = timed([vectra, "pkg", "--state-dir", state, "verify"])
        print(f"{'hashing and chunking (pkg build)':44} {mib / build_time:8.0f} MiB/s  ({build_time:.2f} s)")
        print(f"{'verification of every blob (pkg verify)':44} {mib / verify_time:8.0f} MiB/s  ({verify_time:.2f} s)")
        print(f"{'sha256sum, same file':44} {mib / sha_time:8.0f} MiB/s  ({sha_time:.2f} s)")

        # Fetch over loopback from vectra's mirror, beside curl fetching the same blobs.
        store = os.path.join(state, "store")
        port = free_port()
        server = subprocess.Popen([vectra, "mirror", "serve", store, "--port", str(port)], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        receiver = os.path.join(root, "receiver")
        os.makedirs(receiver)
        open(os.path.join(receiver, "trusted-keys"), "w").write(key + "\n")
        fetch_time, _ = timed([vectra, "pkg", "--state-dir", receiver, "fetch", f"http://127.0.0.1:{port}", "data"])
        blobs = []
        for folder, _, files in os.walk(os.path.join(store, "blobs")):
            blobs += [os.path.relpath(os.path.join(folder, f), store) for f in files]
        # curl saves the same blobs to files and they are synced to disk, as pkg fetch does
        # (which also hashes every byte before anything lands).
        config = os.path.join(root, "curl.config")
        downloads = os.path.join(root, "curl-downloads")
        os.makedirs(downloads)
        with open(config, "w") as out:
            for index, blob in enumerate(blobs):
                out.write(f'url = "http://127.0.0.1:{port}/{blob}"\noutput = "{downloads}/{index}"\n')
        curl_time, _ = timed(["sh", "-c", f"curl -sS --fail -K '{config}' && sync -f '{downloads}'"])
        server.kill()
        print(f"{'fetch over loopback (pkg fetch, verified)':44} {mib / fetch_time:8.0f} MiB/s  ({fetch_time:.2f} s)")
        print(f"{'curl to files + sync, same bytes, same server':44} {mib / curl_time:8.0f} MiB/s  ({curl_time:.2f} s)")
        print(f"{'fetch time / curl time':44} {fetch_time / curl_time:8.2f} x")

        # Deduplication: version 2 changes the small file only.
        open(os.path.join(source, "notes.txt"), "w").write("version 2\n")
        _, built = timed([vectra, "pkg", "--state-dir", state, "build", source])
        manifest = re.search(r"package ([0-9a-f]{64})", built).group(1)
        timed([vectra, "pkg", "--state-dir", state, "release", "data", "2.0.0", manifest])
        _, fetched = timed([vectra, "pkg", "--state-dir", receiver, "fetch", store, "data"])
        match = re.search(r"fetched data 2\.0\.0: (\d+) bytes, (\d+) chunks already present", fetched)
        print(f"{'version 2 (one small file changed): fetched':44} {int(match.group(1)):8d} bytes, "
              f"{match.group(2)} chunks reused of {len(blobs) - 1}")


if __name__ == "__main__":
    main()
