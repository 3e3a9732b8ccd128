"""Supply-chain and secret checks behind `lgnet test`: dependency audit and a scan for secrets."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

# Generated or data files whose high-entropy strings are not secrets.
NOT_SECRETS = r"uv\.lock|contracts/schemas/.*|.*\.json$|.*\.xsd$|.*/fixtures/.*\.xml$"


def scan_for_secrets() -> int:
    """Every file git tracks, scanned with detect-secrets; any finding fails."""
    done = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", "--exclude-files", NOT_SECRETS],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    findings = json.loads(done.stdout)["results"]
    for file, items in findings.items():
        for item in items:
            print(f"possible secret: {file}:{item['line_number']} ({item['type']})")
    print(f"secret scan: {sum(len(v) for v in findings.values())} finding(s)")
    return 1 if findings else 0


def audit_dependencies() -> int:
    """pip-audit over the locked runtime dependencies; a known vulnerability fails.

    Where the vulnerability service cannot be reached, pip-audit says which packages it could
    not audit; that is reported, not hidden, and does not pass for a clean bill of health.
    """
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        subprocess.run(
            [
                "uv",
                "export",
                "--frozen",
                "--no-hashes",
                "--no-emit-workspace",
                "--no-dev",
                "-q",
                "-o",
                str(requirements),
            ],
            check=True,
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "-r",
                str(requirements),
                "--no-deps",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    vulnerable = [d for d in report["dependencies"] if d.get("vulns")]
    skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
    audited = len(report["dependencies"]) - len(skipped)
    print(
        f"dependency audit: {audited} audited, {len(vulnerable)} vulnerable, "
        f"{len(skipped)} not auditable from here (vulnerability service unreachable)"
    )
    return 1 if vulnerable else 0


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which == "secrets":
        raise SystemExit(scan_for_secrets())
    if which == "dependencies":
        raise SystemExit(audit_dependencies())
    raise SystemExit("usage: python -m lgnet_cli.audits secrets|dependencies")


if __name__ == "__main__":
    main()
