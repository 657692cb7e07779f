*** Settings ***
Documentation     RequestDownload 0x34 (catalogue section 13): the accepted download and its block length, and the
...               checks of the request: security, length, format, address, a download already active.
...
...               Common precondition (``P PRG U ERASED``): extended then programming session, the
...               programming security level unlocked, the download area erased through the erase routine.
...               RequestDownload, TransferData and RequestTransferExit are checked together: the
...               cases are skipped when the ECU lacks any of them (``requires:download``).

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x34
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x34    requires:download    physical

Name              0x34 Request Download


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3401 Download Is Accepted With The Block Length
    [Documentation]    RequestDownload into the erased area is answered with maxNumberOfBlockLength.
    [Tags]    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}
TC3402 Download While Locked Gets 0x33
    [Documentation]    RequestDownload while the programming level is locked gets securityAccessDenied.
    [Tags]    nrc    security
    P PRG L    ${REQUEST_DOWNLOAD}    7F 34 33
TC3403 Request Without Size Gets 0x13
    [Documentation]    A request that ends after the address gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS}    7F 34 13
TC3404 Invalid Address And Length Format Gets 0x31
    [Documentation]    addressAndLengthFormatIdentifier 00 (no address, no size) gets requestOutOfRange.
    [Tags]    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} 00 ${DOWNLOAD_ADDRESS}    7F 34 31
TC3405 Unsupported Data Format Gets 0x31
    [Documentation]    A compression or encryption method the ECU does not support gets requestOutOfRange.
    [Tags]    nrc
    P PRG U ERASED    34 ${UNSUPPORTED_DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS} ${DOWNLOAD_SIZE}    7F 34 31
TC3406 Address Outside Memory Gets 0x31
    [Documentation]    A memory address outside every download area gets requestOutOfRange.
    [Tags]    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${ADDRESS_OUTSIDE_MEMORY} ${DOWNLOAD_SIZE}    7F 34 31
TC3407 Second Download While One Is Active Gets 0x22
    [Documentation]    RequestDownload while a download is already active gets conditionsNotCorrect.
    [Tags]    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    ${REQUEST_DOWNLOAD}    7F 34 22
