"""The code that runs inside the guard's Lambda function (standard library + boto3 only).

``lambda-egress guard`` copies this folder, as the package ``lambda_egress_guard``, into each
account and region's ``handler/`` folder, next to its ``mapping.json``. Nothing here may import
``analyzer`` or anything outside the standard library and boto3 (a test checks it).
"""
