"""The deployable re-association guard (``lambda-egress guard``).

``runtime/`` is the Lambda function's own code (shipped as real files, never a string in a
template); the other modules turn a report.json's plan targets into a mapping, CloudFormation and
Terraform per account and region, and the exact commands to deploy and remove them.
"""
