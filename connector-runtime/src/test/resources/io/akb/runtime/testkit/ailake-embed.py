"""The embedder of the ailake test config ("embed_mode": "cmd"): a JSON array of texts on stdin,
a JSON array of one 4-float vector per text on stdout. Deterministic and offline: the vector is
derived from the text's bytes, so tests need no model and no network."""
import hashlib
import json
import sys

texts = json.load(sys.stdin)
vectors = []
for text in texts:
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    vectors.append([digest[i] / 255.0 for i in range(4)])
json.dump(vectors, sys.stdout)
