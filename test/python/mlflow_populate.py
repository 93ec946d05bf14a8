"""Build an MLflow registry through the real MLflow client, for the importer's tests and the benchmark.

    python mlflow_populate.py story <tracking-uri> <out.json>       several models, versions, tags, aliases, stage moves, users
    python mlflow_populate.py bulk <tracking-uri> <models> <versions> many small models, fast (the benchmark)

Users: MLflow's open-source server records no user on a model version, so each version comes from a run
made by a user (the run's `mlflow.user`), which is where the importer finds it. Writes what it made to
<out.json> (story) for the test to compare against.
"""
import json
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402


USERS = {}  # run id -> the user who made it


def version_from_run(c, experiment_id, name, user, files, tags=None, description=None):
    run = c.create_run(experiment_id, tags={"mlflow.user": user})
    USERS[run.info.run_id] = user
    with tempfile.TemporaryDirectory() as d:
        for rel, content in files.items():
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(content)
        c.log_artifacts(run.info.run_id, d, artifact_path="model")
    c.set_terminated(run.info.run_id)
    mv = c.create_model_version(name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id, tags=tags or {}, description=description)
    time.sleep(0.01)  # distinct creation times, so the order of registrations is the order of the story
    return mv, run.info.run_id


def story(uri, out):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exp = c.create_experiment("import-story")
    made = {}

    c.create_registered_model("fraud-detector", tags={"team": "risk", "tier": "1"}, description="Card fraud scoring.")
    v1, r1 = version_from_run(c, exp, "fraud-detector", "alice@example.com", {"model.pkl": b"fraud v1" * 100, "MLmodel": b"flavors: {}\n"}, tags={"dataset": "2026-q1"}, description="First model.")
    v2, r2 = version_from_run(c, exp, "fraud-detector", "bob@example.com", {"model.pkl": b"fraud v2" * 150, "MLmodel": b"flavors: {}\n", "extra/thresholds.json": b'{"t": 0.7}', "code/__pycache__/helper.cpython-311.pyc": b"\x00pyc"}, tags={"dataset": "2026-q2"})
    c.transition_model_version_stage("fraud-detector", v1.version, "Production")
    time.sleep(0.01)
    c.transition_model_version_stage("fraud-detector", v2.version, "Staging")
    time.sleep(0.01)
    v3, r3 = version_from_run(c, exp, "fraud-detector", "carol", {"model.pkl": b"fraud v3" * 120, "MLmodel": b"flavors: {}\n"}, description="Retrained on Q3.")
    c.transition_model_version_stage("fraud-detector", v2.version, "Production")
    time.sleep(0.01)
    c.transition_model_version_stage("fraud-detector", v1.version, "Archived")
    c.set_registered_model_alias("fraud-detector", "champion", v2.version)
    c.set_registered_model_alias("fraud-detector", "challenger", v3.version)

    c.create_registered_model("Churn Model", tags={"team": "growth"}, description="Who will leave.")
    c1, _ = version_from_run(c, exp, "Churn Model", "dave@example.com", {"weights.bin": bytes(range(256)) * 40})
    c2, _ = version_from_run(c, exp, "Churn Model", "alice@example.com", {"weights.bin": bytes(range(255, -1, -1)) * 40})
    c.set_registered_model_alias("Churn Model", "champion", c1.version)

    c.create_registered_model("ranker")
    k1, _ = version_from_run(c, exp, "ranker", "erin", {"ranker.onnx": b"onnx" * 500})
    c.delete_model_version("ranker", k1.version)  # a gap: versions 2 and 3 remain
    k2, _ = version_from_run(c, exp, "ranker", "erin", {"ranker.onnx": b"onnx2" * 500})
    k3, _ = version_from_run(c, exp, "ranker", "frank@example.com", {"ranker.onnx": b"onnx3" * 500})
    c.transition_model_version_stage("ranker", k3.version, "Staging")

    with open(out, "w") as f:
        json.dump({"experiment": exp, "users": USERS}, f)


def bulk(uri, n_models, n_versions):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exp = c.create_experiment(f"bulk-{time.time()}")
    run = c.create_run(exp, tags={"mlflow.user": "bench@example.com"})
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "model.bin"), "wb") as f:
            f.write(b"bench model\n")
        c.log_artifacts(run.info.run_id, d, artifact_path="model")
    source = f"runs:/{run.info.run_id}/model"
    for i in range(int(n_models)):
        name = f"bench-model-{i:05d}"
        c.create_registered_model(name, tags={"team": ["nlp", "vision", "risk"][i % 3]}, description=f"Bench model {i}.")
        for v in range(1, int(n_versions) + 1):
            c.create_model_version(name, source, run_id=run.info.run_id)
        c.transition_model_version_stage(name, str(n_versions - 1), "Staging")
        c.transition_model_version_stage(name, str(n_versions - 2), "Production")
        c.set_registered_model_alias(name, "production", str(n_versions - 2))
        c.set_registered_model_alias(name, "staging", str(n_versions - 1))
        if i % 100 == 0:
            print(f"{i} models", file=sys.stderr, flush=True)
    c.set_terminated(run.info.run_id)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "story":
        story(sys.argv[2], sys.argv[3])
    else:
        bulk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
