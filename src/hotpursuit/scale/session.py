"""A SparkSession for hotpursuit's jobs: loopback only, quiet, the worker Python the same as the driver's.

`master` is `local[N]` or a cluster URL (`spark://host:7077`); extra settings (memory, cores) pass through
as `key=value` pairs. Settings chosen from measurements on 2 cores (see the README's Scale-out section):
few shuffle partitions for small extracts, no UI, the ANSI mode Spark 4 defaults to (a cast that would
lose digits fails instead of wrapping), UTC.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hotpursuit.errors import HotpursuitError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

QUIET_LOG = Path(__file__).with_name("log4j2-quiet.properties")
DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "2g",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "200000",
}


class ScaleError(HotpursuitError):
    """Spark is missing, cannot start, or a job over the Parquet export cannot run."""


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """`key=value` settings from the command line (`--conf spark.executor.memory=8g`)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise ScaleError(f"--conf {pair!r}: expected spark.<setting>=<value>")
        out[key.strip()] = value.strip()
    return out


def _check_master(master: str) -> None:
    """Fail in seconds, with the address, when a standalone master does not answer (Spark itself retries
    for a minute and then reports a JVM error)."""
    if master == "yarn" or master.startswith("k8s://"):
        return  # Spark's own resource managers: Spark reports on them
    if not master.startswith("spark://"):
        if not re.fullmatch(r"local(\[(\d+|\*)(,\d+)?\])?", master):
            raise ScaleError(f"--master {master!r}: expected local, local[N], spark://host:port, yarn or k8s://...")
        return
    for target in master.removeprefix("spark://").split(","):
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            raise ScaleError(f"--master {master!r}: expected spark://host:port")
        try:
            with socket.create_connection((host, int(port)), timeout=3):
                return
        except OSError:
            continue
    raise ScaleError(f"--master {master}: no Spark master answers there (start one: scripts/spark_standalone.sh "
                     "start)")


def spark_session(master: str = "local[2]", settings: dict[str, str] | None = None,
                  app: str = "hotpursuit-scale") -> SparkSession:
    """Start (or join the running) SparkSession. The driver binds to 127.0.0.1 unless `spark.driver.host`
    is given; executors run this interpreter (`PYSPARK_PYTHON`), which must have pyarrow."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # an install without the scale extra
        raise ScaleError("pyspark is not installed: pip install 'hotpursuit[scale]'") from exc
    _check_master(master)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    host = (settings or {}).get("spark.driver.host", "127.0.0.1")
    os.environ.setdefault("SPARK_LOCAL_IP", host)
    builder = SparkSession.builder.master(master).appName(app)
    conf = {**DEFAULTS, "spark.driver.host": host, "spark.driver.bindAddress": host,
            "spark.pyspark.python": os.environ["PYSPARK_PYTHON"],
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{QUIET_LOG}",
            "spark.executor.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{QUIET_LOG}",
            **(settings or {})}
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing, a master that does not answer, a bad setting
        raise ScaleError(f"Spark did not start on {master}: {str(exc).splitlines()[0] if str(exc) else exc!r}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session
