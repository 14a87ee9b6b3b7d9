"""The service provider's signing and encryption key pair, per municipality.

An administrator generates it in the UI (a self-signed certificate is what Context Handler and most IdPs expect of
an SP: trust comes from the metadata exchange, not a CA) or uploads the organisation's own. The private key is
stored encrypted with the CPR key ring's AES-GCM (another associated-data label, so a key token can never be
decrypted as a CPR number or the other way). Operations may instead place ``<code>.key`` and ``<code>.crt`` in
``SSO_KEY_DIR``; files there win over the database.

pysaml2 hands keys to the xmlsec1 program as files, so the pair is written to a private folder of this process
(mode 0700, files 0600), named by a hash of its content.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from kreds.core.crypto import key_ring

_LABEL = b"kreds.sso.sp-key:"


@dataclass(frozen=True)
class KeyPair:
    key_pem: str
    cert_pem: str

    @property
    def not_after(self) -> datetime.datetime:
        return x509.load_pem_x509_certificate(self.cert_pem.encode()).not_valid_after_utc

    @property
    def fingerprint(self) -> str:
        cert = x509.load_pem_x509_certificate(self.cert_pem.encode())
        return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def generate(common_name: str, *, years: int = 3, bits: int = 3072) -> KeyPair:
    """A new RSA key (3072 bits; the demo and the tests use 2048, which is made in a tenth of the time) and a
    self-signed certificate for it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return KeyPair(key_pem, cert.public_bytes(serialization.Encoding.PEM).decode())


def check(pair: KeyPair) -> None:
    """Raise ValueError unless ``pair`` is a PEM private key and the certificate of that key."""
    try:
        key = serialization.load_pem_private_key(pair.key_pem.encode(), password=None)
        cert = x509.load_pem_x509_certificate(pair.cert_pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM key and certificate") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA key")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise ValueError("the certificate is not the key's")


def encrypt(key_pem: str) -> str:
    key_id, key = key_ring()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, key_pem.encode(), _LABEL + key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    key_id, _, payload = token.partition(":")
    keys = dict(key_ring())
    if key_id not in keys:
        raise ImproperlyConfigured(f"The SP key was sealed with key {key_id!r}, which is not in CPR_KEYS.")
    raw = base64.b64decode(payload)
    return AESGCM(keys[key_id]).decrypt(raw[:12], raw[12:], _LABEL + key_id.encode()).decode()


def from_files(code: str) -> KeyPair | None:
    folder = getattr(settings, "SSO_KEY_DIR", "")
    if not folder:
        return None
    key_file, cert_file = Path(folder) / f"{code}.key", Path(folder) / f"{code}.crt"
    if not (key_file.is_file() and cert_file.is_file()):
        return None
    return KeyPair(key_file.read_text(), cert_file.read_text())


_folder: Path | None = None


def as_files(pair: KeyPair) -> tuple[str, str]:
    """Paths of files holding the pair, for xmlsec1; written once per process and content."""
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix="kreds-sso-"))
        _folder.chmod(0o700)
    digest = hashlib.sha256((pair.key_pem + pair.cert_pem).encode()).hexdigest()[:24]
    key_file, cert_file = _folder / f"{digest}.key", _folder / f"{digest}.crt"
    for path, text in ((key_file, pair.key_pem), (cert_file, pair.cert_pem)):
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
    return str(key_file), str(cert_file)
