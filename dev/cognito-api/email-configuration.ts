// The pool's EmailConfiguration (EmailConfigurationType,
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html)
// as DescribeUserPool answers it: COGNITO_DEFAULT (Cognito's own email, a
// small daily quota; the pool's default, and then the field may be left out)
// or DEVELOPER with the team's Amazon SES identity (SourceArn). What the
// courier check after a rollback reads (src/rollback/courier-check.ts).

export interface EmailConfiguration {
  EmailSendingAccount?: 'COGNITO_DEFAULT' | 'DEVELOPER';
  SourceArn?: string;
  From?: string;
  ReplyToEmailAddress?: string;
  ConfigurationSet?: string;
}

/** A new pool's: Cognito's own email. */
export const DEFAULT_EMAIL_CONFIGURATION: EmailConfiguration = { EmailSendingAccount: 'COGNITO_DEFAULT' };

/** The DescribeUserPool fields for the email configuration (empty object: none set, Cognito's default). */
export function describeEmailConfiguration(current: EmailConfiguration | null): { EmailConfiguration?: EmailConfiguration } {
  return current ? { EmailConfiguration: { ...current } } : {};
}
