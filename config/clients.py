"""Settings turned into server clients: the one place that reads secrets out of `Settings`."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from config.settings import Settings
from search.client import make_client
from storage.objects import ObjectStore, S3Endpoint
from storage.versity_admin import VersityAdmin


def s3_endpoint(settings: Settings) -> S3Endpoint:
    return S3Endpoint(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
        ca_file=settings.s3_ca_file,
    )


def object_store(settings: Settings) -> ObjectStore:
    return ObjectStore(s3_endpoint(settings))


def s3_admin(settings: Settings) -> VersityAdmin:
    """The versitygw admin API (users), with the same identity as the object store."""
    return VersityAdmin(s3_endpoint(settings))


def es_client(settings: Settings) -> Elasticsearch:
    return make_client(
        settings.es_url,
        api_key=settings.es_api_key.get_secret_value() if settings.es_api_key else None,
        username=settings.es_username,
        password=settings.es_password.get_secret_value() if settings.es_password else None,
        ca_file=settings.es_ca_file,
        timeout=settings.es_timeout,
    )
