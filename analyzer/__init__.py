"""lambda-egress: price NAT-gateway egress of Lambda functions against Elastic IPs on their ENIs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lambda-egress")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+src"
