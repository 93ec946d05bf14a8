"""Load a registry description (bench/serve.mjs writes it) into an MLflow SQLite database through MLflow's
own model-registry store (in process: 10k versions in about a minute, where the REST API takes far longer).

    python mlflow_load.py <sqlite:///…/mlflow.db> <spec.json>
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from mlflow.entities.model_registry import ModelVersionTag, RegisteredModelTag  # noqa: E402
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore  # noqa: E402

db, spec_path = sys.argv[1], sys.argv[2]
with open(spec_path) as f:
    spec = json.load(f)
store = SqlAlchemyStore(db)
for i, m in enumerate(spec["models"]):
    store.create_registered_model(m["name"], tags=[RegisteredModelTag(k, v) for k, v in m["tags"].items()], description=m["description"])
    for v in m["versions"]:
        store.create_model_version(m["name"], spec["source"], tags=[ModelVersionTag(k, val) for k, val in v["tags"].items()], description=v["description"])
    for stage, n in m["stages"].items():
        store.transition_model_version_stage(m["name"], str(n), stage.capitalize(), False)
        store.set_registered_model_alias(m["name"], stage, str(n))
    if i % 200 == 0:
        print(f"mlflow_load: {i} models", file=sys.stderr, flush=True)
print(json.dumps({"models": len(spec["models"])}))
