"""deploy/ is checked, not just written: the systemd unit passes
`systemd-analyze verify`, the compose file is valid (and `docker compose
config` accepts it where the client has the compose plugin), and the
Dockerfile's install steps, replayed in a fresh venv, give a working
`advocacy-bot` with its migrations and content."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_systemd_unit_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    unit = tmp_path / "advocacy-bot.service"
    # The unit names /opt/advocacy-bot; point it at this checkout so ExecStart exists.
    unit.write_text((DEPLOY / "advocacy-bot.service").read_text().replace("/opt/advocacy-bot", str(ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    text = unit.read_text()
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                      "CapabilityBoundingSet=", "SystemCallFilter=@system-service"):
        assert hardening in text


def test_compose_file_describes_bot_postgres_and_dashboard():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"bot", "postgres", "dashboard"}
    bot = compose["services"]["bot"]
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://advocacy:")
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert compose["services"]["dashboard"]["ports"] == ["127.0.0.1:8080:8080"]
    assert "pgdata" in compose["volumes"]
    # A new case is a reload, not a rebuild: content comes from the checkout, read-only.
    for service in ("bot", "dashboard"):
        volumes = compose["services"][service]["volumes"]
        assert "../content:/app/content:ro" in volumes and "../seeds:/app/seeds:ro" in volumes


def test_systemd_reload_sends_the_signal_the_bot_reloads_on():
    unit = (DEPLOY / "advocacy-bot.service").read_text()
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit


def test_docker_compose_config_accepts_it(tmp_path):
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True) \
        if shutil.which("docker") else None
    if probe is None or probe.returncode != 0:
        pytest.skip("no docker client with the compose plugin on this machine")
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=x\n")
    result = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "--env-file",
                             str(tmp_path / ".env"), "config", "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_dockerfile_install_steps_give_a_working_bot(tmp_path):
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    # The steps replayed below, as the Dockerfile has them:
    assert "COPY pyproject.toml README.md ./\nCOPY bot ./bot\n" in dockerfile
    assert "RUN python -m venv /opt/venv && /opt/venv/bin/pip install .\n" in dockerfile
    assert "COPY content ./content\nCOPY seeds ./seeds\n" in dockerfile
    assert "RUN advocacy-bot check\n" in dockerfile
    assert re.search(r"^USER advocacy$", dockerfile, re.M)
    assert dockerfile.index("USER advocacy") < dockerfile.index("CMD [")

    app = tmp_path / "app"
    app.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, app / name)
    for folder in ("bot", "content", "seeds"):
        shutil.copytree(ROOT / folder, app / folder, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # No network in tests: the venv sees this project's dependencies through a .pth
    # file, and the package itself is built and installed from the copied sources.
    (next((venv / "lib").glob("python3.*")) / "site-packages" / "deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps",
                              "--no-build-isolation", "--no-index", "--quiet", "."],
                             cwd=app, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    installed = subprocess.run([venv / "bin" / "python", "-c", "import bot; print(bot.__file__)"],
                               cwd=tmp_path, capture_output=True, text=True).stdout
    assert installed.startswith(str(venv)), installed  # the built package, not this checkout
    env = {**os.environ, "CONTENT_DIR": str(app / "content"), "SEEDS_DIR": str(app / "seeds"),
           "DATABASE_PATH": str(tmp_path / "data/advocacy.sqlite3"), "LOG_FORMAT": "json"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    check = subprocess.run([venv / "bin" / "advocacy-bot", "check"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    chat = subprocess.run([venv / "bin" / "advocacy-bot", "console"], input="/start\n", env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert chat.returncode == 0, chat.stderr  # migrations shipped inside the package
    assert "Hello, Console!" in chat.stdout
    letter = subprocess.run([venv / "bin" / "advocacy-bot", "letter", "--campaign", "ua-150-18",
                             "--target", "luis-videgaray", "--channel", "letter", "--name", "Анна",
                             "--pdf", "letter.pdf"], env=env, capture_output=True, text=True, cwd=tmp_path,
                            timeout=60)
    assert letter.returncode == 0, letter.stderr  # the letter font shipped inside the package
    assert (tmp_path / "letter.pdf").read_bytes().count(b"/FontFile2") == 1
