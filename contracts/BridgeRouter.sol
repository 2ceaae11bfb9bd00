// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title BridgeRouter
/// @notice A THORChain-router-like entry point: a deposit goes straight to a vault and its event
/// carries the memo that tells the other chain where to pay out (e.g. `SWAP:BTC.BTC:<address>`).
contract BridgeRouter {
    event Deposit(address indexed to, address indexed asset, uint256 amount, string memo);

    /// @notice Deposits ETH (asset = address(0)) to `vault` with a memo.
    function deposit(address payable vault, address asset, uint256 amount, string calldata memo)
        external
        payable
    {
        require(asset == address(0), "only ETH");
        require(msg.value == amount, "value mismatch");
        (bool ok, ) = vault.call{value: msg.value}("");
        require(ok, "vault transfer failed");
        emit Deposit(vault, asset, amount, memo);
    }
}
