// Secrets encrypted by Alibaba Cloud KMS at deploy time: state keeps only the ciphertext.
package alicloudkms
