# Security: passwords, signed-in devices, security mails.
security-error-common-password = This is one of the most common passwords, which is tried first when someone guesses. Choose another.
security-error-weak-password = Choose a password of at least 10 characters that is not one character repeated.
security-error-current-missing = Enter your current password.
security-error-current-wrong = Your current password is not right.
security-error-confirm = The two new passwords are not the same.
security-title = Security
security-devices-title = Where you are signed in
security-devices-text = Browsers and apps that are signed in to your account. Sign out any you do not recognise, and change your password.
security-this-device = this device
security-kind-web = browser
security-kind-api = app
security-signed-in = signed in { $when }
security-last-used = last used { $when }
security-last-used-unknown = not used since
security-device = { $browser } on { $system }
security-device-unknown = an unknown device
security-sign-out-this = Sign out here
security-sign-out-device = Sign out { $device }
security-sign-out-others = Sign out everywhere else
security-password-title = Change your password
security-current-password = Current password
security-new-password = New password
security-new-password-hint = At least 10 characters. Your other devices will be signed out.
security-confirm-password = New password again
security-password-button = Change password
security-done-password = Your password is changed. Your other devices are signed out.
security-done-signed-out = That device is signed out.
security-done-signed-out-others = You are signed out everywhere else.
security-mail-sign-in-subject = New sign-in to your mentorpost account
security-mail-sign-in-body = Dear { $name },

    Someone signed in to your mentorpost account from a device we have not seen before:

    { $device }, { $when }, from address { $from }.

    If that was you, you need do nothing. If not, change your password and sign out that device on your settings page:
    { $link }
security-mail-password-subject = Your mentorpost password was changed
security-mail-password-body = Dear { $name },

    The password of your mentorpost account was changed { $when }, from address { $from }. Your other devices were signed out.

    If that was you, you need do nothing. If not, sign in with a link sent by e-mail from the sign-in page, and change your password on your settings page:
    { $link }
security-mail-address-subject = An address was added to your mentorpost account
security-mail-address-body = Dear { $name },

    The address { $address } was added to your mentorpost account { $when }. Mail from it now counts as yours.

    If that was you, you need do nothing. If not, tell your programme's coordinator and check your settings page:
    { $link }
