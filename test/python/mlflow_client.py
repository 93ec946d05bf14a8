"""The real MLflow client, driven by the tests (test/integration/mlflow-client.test.ts).

    python mlflow_client.py read <workdir> <model>...        what MlflowClient and the models:/ loaders say, as JSON
    python mlflow_client.py train <workdir>                   log a scikit-learn model; download it to <workdir>/model
    python mlflow_client.py predict <model-uri> <inputs.json> load with mlflow.pyfunc in this fresh process; print predictions
    python mlflow_client.py poll <model> <alias> <semver>     poll the alias until it names that version; print how many calls
    python mlflow_client.py writes <model>                    try every kind of write; print the errors
    python mlflow_client.py facts <workdir> <model>...       every fact of these models and their downloads, comparable across servers

The server is MLFLOW_TRACKING_URI (and the registry URI defaults to it), as a user's code would have it.
"""
import hashlib
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # stages are deprecated in MLflow; the tests use them on purpose

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


def sha256_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            with open(p, "rb") as fh:
                out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out


def version_json(v):
    return {
        "name": v.name,
        "version": v.version,
        "current_stage": v.current_stage,
        "aliases": sorted(v.aliases),
        "tags": dict(v.tags),
        "user_id": v.user_id,
        "description": v.description,
        "creation_timestamp": v.creation_timestamp,
        "last_updated_timestamp": v.last_updated_timestamp,
        "run_id": v.run_id,
        "source": v.source,
    }


def read(workdir, names):
    c = MlflowClient()
    out = {"search": [], "models": {}}
    token = None
    while True:
        page = c.search_registered_models(max_results=2, page_token=token)
        out["search"] += [m.name for m in page]
        token = page.token
        if not token:
            break
    for name in names:
        m = c.get_registered_model(name)
        versions = c.search_model_versions(f"name = '{name}'")
        entry = {
            "description": m.description,
            "tags": dict(m.tags),
            "aliases": dict(m.aliases),
            "versions": sorted((version_json(v) for v in versions), key=lambda v: int(v["version"])),
            "latest_production": [v.version for v in c.get_latest_versions(name, ["Production"])],
            "by_alias": {a: c.get_model_version_by_alias(name, a).version for a in m.aliases},
            "downloads": {},
        }
        for uri in [f"models:/{name}@production", f"models:/{name}/Production", f"models:/{name}/latest"] + [f"models:/{name}/{v['version']}" for v in entry["versions"]]:
            dst = os.path.join(workdir, "dl", uri.replace(":", "_").replace("/", "_").replace("@", "_"))
            os.makedirs(dst, exist_ok=True)
            try:
                path = mlflow.artifacts.download_artifacts(uri, dst_path=dst)
                entry["downloads"][uri] = sha256_tree(path)
            except MlflowException as e:
                entry["downloads"][uri] = {"error": str(e)[:300]}
        out["models"][name] = entry
    print(json.dumps(out))


def train(workdir):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri("sqlite:///" + os.path.join(workdir, "tracking.db"))
    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] - 0.5 * X[:, 2] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model")
    path = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=os.path.join(workdir, "model"))
    probe = rng.normal(size=(12, 4))
    with open(os.path.join(workdir, "inputs.json"), "w") as f:
        json.dump(probe.tolist(), f)
    print(json.dumps({"dir": path, "labels": model.predict(probe).tolist(), "probabilities": model.predict_proba(probe)[:, 1].tolist(), "accuracy": float(model.score(X, y))}))


def predict(uri, inputs):
    import numpy as np

    model = mlflow.pyfunc.load_model(uri)
    with open(inputs) as f:
        X = np.array(json.load(f))
    labels = model.predict(X)  # through pyfunc, as a serving container calls it
    print(json.dumps({"flavors": sorted(model.metadata.flavors), "labels": [int(x) for x in labels], "probabilities": model.get_raw_model().predict_proba(X)[:, 1].tolist()}))


def poll(name, alias, semver):
    c = MlflowClient()
    first = None
    for i in range(1, 3001):
        v = c.get_model_version_by_alias(name, alias)
        first = first or v.tags.get("modelreg.version")
        if v.tags.get("modelreg.version") == semver:
            print(json.dumps({"calls": i, "first": first, "version": v.version}))
            return
        time.sleep(0.1)
    sys.exit(f"{name}@{alias} never named {semver}")


def writes(name):
    c = MlflowClient()
    attempts = {
        "create_registered_model": lambda: c.create_registered_model("new-model"),
        "create_model_version": lambda: c.create_model_version(name, "s3://b/k", run_id=None),
        "transition_model_version_stage": lambda: c.transition_model_version_stage(name, "1", "Production"),
        "set_registered_model_alias": lambda: c.set_registered_model_alias(name, "champion", "1"),
        "delete_registered_model_alias": lambda: c.delete_registered_model_alias(name, "production"),
        "update_model_version": lambda: c.update_model_version(name, "1", description="x"),
        "set_model_version_tag": lambda: c.set_model_version_tag(name, "1", "k", "v"),
        "delete_model_version": lambda: c.delete_model_version(name, "1"),
        "rename_registered_model": lambda: c.rename_registered_model(name, "other"),
    }
    out = {}
    for what, call in attempts.items():
        try:
            call()
            out[what] = {"error_code": None}
        except MlflowException as e:
            out[what] = {"error_code": e.error_code, "message": e.message}
    print(json.dumps(out))




def facts(workdir, names):
    """Everything a client can learn of these models, downloads included, in one comparable shape."""
    c = MlflowClient()
    out = {}
    for name in names:
        m = c.get_registered_model(name)
        versions = {}
        for v in c.search_model_versions(f"name = '{name}'"):
            dst = os.path.join(workdir, name.replace(" ", "_"), v.version)
            os.makedirs(dst, exist_ok=True)
            path = mlflow.artifacts.download_artifacts(f"models:/{name}/{v.version}", dst_path=dst)
            versions[v.version] = {**version_json(v), "files": sha256_tree(path)}
        out[name] = {"description": m.description, "tags": dict(m.tags), "aliases": dict(m.aliases), "versions": versions,
                     "latest": {s: [v.version for v in c.get_latest_versions(name, [s])] for s in ["None", "Staging", "Production", "Archived"]}}
    print(json.dumps(out))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"facts": lambda: facts(args[0], args[1:]), "read": lambda: read(args[0], args[1:]), "train": lambda: train(args[0]), "predict": lambda: predict(args[0], args[1]), "poll": lambda: poll(*args), "writes": lambda: writes(args[0])}[cmd]()
