"""Tell a certificate problem apart from a server that is down: a wrong or missing CA file must not read
as "unreachable" (the fix is a setting, not `infra/servers.sh start`)."""

from __future__ import annotations

import ssl


def tls_failure(exc: BaseException) -> str | None:
    """What TLS refused, in OpenSSL's words ("unable to get local issuer certificate"), or None when the
    failure was not TLS. Looks through the causes that urllib3 and elastic_transport wrap around it."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        err = todo.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, ssl.SSLCertVerificationError):
            return err.verify_message or str(err)
        if isinstance(err, ssl.SSLError):
            return err.reason or str(err)
        todo += [e for e in (err.__cause__, err.__context__, getattr(err, "reason", None)) if e is not None]
        todo += [a for a in err.args if isinstance(a, BaseException)]
    return None


def tls_check_text(what: str, setting: str, current: object, reason: str) -> tuple[str, str]:
    """(detail, fix) for `sohoa doctor` when the server's certificate was not accepted."""
    trusted = current or "the system's CA certificates"
    return (
        f"TLS: the server's certificate is not trusted ({reason})",
        f"set {setting} to the CA that signed {what}'s certificate (now: {trusted})",
    )
