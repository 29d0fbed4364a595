"""AWS I/O: the only package that imports boto3/botocore."""
