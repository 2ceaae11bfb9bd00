"""RFC 3161 timestamps of a bundle's statement: the request, the checks of the authority's reply at export,
and the offline verification against the roots a verifier trusts (rfc3161-client). What is timestamped is
the DSSE payload (the statement's bytes), so co-signatures added later leave the token valid."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimeStampRequest,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from hotpursuit.evidence.layout import TIMESTAMP, EvidenceError


@dataclass(frozen=True)
class TimestampInfo:
    """When, by whom (the TSA certificate's subject) and under which serial number."""

    gen_time: str
    authority: str
    serial: int


def timestamp_request(message: bytes) -> TimeStampRequest:
    """A SHA-256 request with a nonce, asking for the authority's certificate in the reply."""
    return (TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256)
            .nonce(nonce=True).cert_request(cert_request=True).build())


def accept_reply(request: TimeStampRequest, reply: bytes, where: str) -> TimestampInfo:
    """Check an authority's reply to `request` (granted, our digest, our nonce); EvidenceError naming
    `where` otherwise. Whether the authority is trusted is for the verifier to say."""
    try:
        response = decode_timestamp_response(reply)
        if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
            raise EvidenceError(f"timestamp authority {where}: refused (status {response.status}: "
                                f"{' '.join(response.status_string)})")
        if response.tst_info.message_imprint.message != request.message_imprint.message:
            raise EvidenceError(f"timestamp authority {where}: the token is for another digest")
        if response.tst_info.nonce != request.nonce:
            raise EvidenceError(f"timestamp authority {where}: the token's nonce is not ours")
        return _info(response)
    except ValueError as exc:
        raise EvidenceError(f"timestamp authority {where}: not a timestamp reply ({exc})") from None


def _authority(response: TimeStampResponse) -> str:
    for der in sorted(response.signed_data.certificates):
        cert = x509.load_der_x509_certificate(der)
        if ExtendedKeyUsageOID.TIME_STAMPING in _ekus(cert):
            return cert.subject.rfc4514_string()
    return "an authority whose certificate the token does not carry"


def _ekus(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return []


def _info(response: TimeStampResponse) -> TimestampInfo:
    when = response.tst_info.gen_time
    return TimestampInfo(when.strftime("%Y-%m-%dT%H:%M:%SZ"), _authority(response), response.tst_info.serial_number)


def check_timestamp(token: bytes, message: bytes, roots: list[x509.Certificate]
                    ) -> tuple[TimestampInfo | None, list[str]]:
    """(what the token says, problems): `timestamp does not match the statement` when its digest is not
    the message's; `timestamp by an untrusted authority` when no root in `roots` vouches for its signer."""
    try:  # the parser is lazy: a malformed part shows when it is read
        response = decode_timestamp_response(token)
        info = _info(response)
        imprint = response.tst_info.message_imprint.message
        matches = imprint == _digest(response, message)
    except Exception as exc:  # any flaw of a file from outside is a named problem, never a crash
        return None, [f"malformed: {TIMESTAMP} ({type(exc).__name__}: {exc})"]
    problems = []
    if not matches:
        problems.append(f"timestamp does not match the statement ({TIMESTAMP} of {info.gen_time} by "
                        f"{info.authority})")
    if roots:
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        try:
            builder.build().verify(response, imprint)
        except VerificationError as exc:
            problems.append(f"timestamp by an untrusted authority: {info.authority} ({exc})")
        except Exception as exc:  # as above
            problems.append(f"malformed: {TIMESTAMP} ({type(exc).__name__}: {exc})")
    return info, problems


def _digest(response: TimeStampResponse, message: bytes) -> bytes:
    oid = response.tst_info.message_imprint.hash_algorithm.dotted_string
    algorithm = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
                 "2.16.840.1.101.3.4.2.3": "sha512"}.get(oid)
    if algorithm is None:
        return b""  # an algorithm we do not know cannot match
    return hashlib.new(algorithm, message).digest()


def load_roots(data: bytes, where: str) -> list[x509.Certificate]:
    """The certificates of a PEM file; EvidenceError naming it if it holds none."""
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise EvidenceError(f"{where}: not a PEM certificate file ({exc})") from None
    return certs
