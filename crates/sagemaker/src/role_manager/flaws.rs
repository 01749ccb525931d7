//! The known flaws of the public templates (spec `role-manager.md` §11), as data. Templates are
//! generated faithfully; a plan carries a note for each flaw that applies to its selection.

/// (id, what is wrong).
pub const FLAWS: &[(&str, &str)] = &[
    ("F1", "the CDK defaults the parameter lists to empty, which expands to an empty Resource that IAM rejects; sagegate requires every parameter"),
    ("F2", "the Athena workgroup default `primary` is declared in CDK 0.0.30 but never applied; sagegate requires WorkGroupNames"),
    ("F3", "the CDK passes KMS key ids where IAM needs key ARNs (Resource, ARN-typed condition keys); sagegate requires key ARNs"),
    ("F4", "the KMS variants use the deprecated keys sagemaker:VolumeKmsKey and sagemaker:OutputKmsKey with StringEquals rather than the …KmsKeyArn keys with ArnEquals"),
    ("F5", "SM_CommonJobManagement (base) lacks sagemaker:StopTransformJob, which its VPC and KMS variants have"),
    ("F6", "SM_ModelMonitoring_VPC drops the Describe/Delete/Start/Stop statement: the VPC variant grants less than the base"),
    ("F7", "SM_StudioAppPermissions_KMS (v1) drops iam:PassRole, so PassRoles is silently unused"),
    ("F8", "SM_GlueTableManagement grants the bucket-level s3:GetBucketAcl/PutBucketAcl on object ARNs (bucket/*), where they never match, and fixes GetTable/UpdateTable to sagemaker_featurestore whatever GlueDbNames says"),
    ("F9", "the templates hard-code the partition `arn:aws:`; sagegate substituted the region's partition"),
    ("F10", "no template of Manage ML Jobs, Models, Endpoints or Pipelines grants sagemaker:AddTags, so a Create* call with Tags (tag-on-create) is denied; SM_PipelineManagement also lacks UpdatePipeline"),
    ("F11", "the names overpromise: S3 Full Access is Get/Put/List (v2: also Delete) on arn:aws:s3:::*, not s3:*; arn:aws:sagemaker:*:*:*/* covers every resource type in every region; the CloudWatch namespace needs three spellings because StringLike is case-sensitive"),
    ("F12", "AmazonSageMakerCanvasDirectDeployAccess scopes its endpoint actions to arn:aws:sagemaker:*:*:Canvas* and …:canvas*, which lack the endpoint/ type prefix and match no endpoint; direct deploy works only through CanvasFullAccess"),
    ("F13", "the `current` Data Scientist preset selects Canvas AI Services, MLOps and Kendra without Canvas Core Access or Data Preparation (§7); fixed, it needs 11 policies, one over the default quota and 3 over the domain limit of 8"),
];

/// The text of a flaw.
pub fn describe(id: &str) -> &'static str {
    FLAWS.iter().find(|(f, _)| *f == id).map_or("", |(_, d)| d)
}

/// The flaws of one generated template (by its full name) or managed policy (by its name).
pub fn of_template(name: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let stem_is = |s: &str| name == s || name.starts_with(&format!("{s}_"));
    if name.ends_with("_KMS")
        && ["SM_CommonJobManagement", "SM_EndpointDeployment", "SM_ModelMonitoring"].iter().any(|s| stem_is(s))
    {
        out.push("F4");
    }
    if name == "SM_CommonJobManagement" {
        out.push("F5");
    }
    if name == "SM_ModelMonitoring_VPC" {
        out.push("F6");
    }
    if stem_is("SM_GlueTableManagement") {
        out.push("F8");
    }
    if ["SM_CommonJobManagement", "SM_ModelManagement", "SM_EndpointDeployment", "SM_PipelineManagement"]
        .iter()
        .any(|s| stem_is(s))
    {
        out.push("F10");
    }
    if stem_is("SageMakerS3AllResourcesPolicyTemplate") || stem_is("SM_ComputeExecutionRole") {
        out.push("F11");
    }
    if name == "AmazonSageMakerCanvasDirectDeployAccess" {
        out.push("F12");
    }
    out
}
