/**
 * The Amazon Bedrock adapter: the Converse API (and its binary event stream) for chat, InvokeModel for Titan and
 * Cohere embeddings, requests signed with AWS Signature Version 4 by the AWS SDK's signer.
 */
package dev.smartflow.providers.bedrock;
