using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Deadlines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "reminder_ladder",
                table: "organisations",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deadline_recomputes",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deadline_recomputes", x => x.incident_id);
                });

            migrationBuilder.CreateTable(
                name: "deadlines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    citation = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    due_at = table.Column<long>(type: "INTEGER", nullable: true),
                    team = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ladder_override = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ladder = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deadlines", x => x.id);
                    table.ForeignKey(
                        name: "fk_deadlines_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    secret = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    include_exercises = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhooks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deadline_rungs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deadline_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    to = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    dispatched_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deadline_rungs", x => x.id);
                    table.ForeignKey(
                        name: "fk_deadline_rungs_deadlines_deadline_id",
                        column: x => x.deadline_id,
                        principalTable: "deadlines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deadline_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rung_key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    recipient = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    read_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_deliveries_deadlines_deadline_id",
                        column: x => x.deadline_id,
                        principalTable: "deadlines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_deadline_id_key",
                table: "deadline_rungs",
                columns: new[] { "deadline_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_pending_at",
                table: "deadline_rungs",
                column: "at",
                filter: "state = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_deadlines_incident_id_key",
                table: "deadlines",
                columns: new[] { "incident_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deadlines_status_due_at",
                table: "deadlines",
                columns: new[] { "status", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_deadline_id_rung_key_recipient_channel",
                table: "deliveries",
                columns: new[] { "deadline_id", "rung_key", "recipient", "channel" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_incident_id_state",
                table: "deliveries",
                columns: new[] { "incident_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_pending_next_attempt_at",
                table: "deliveries",
                column: "next_attempt_at",
                filter: "state = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_recipient_channel_created_at",
                table: "deliveries",
                columns: new[] { "recipient", "channel", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deadline_recomputes");

            migrationBuilder.DropTable(
                name: "deadline_rungs");

            migrationBuilder.DropTable(
                name: "deliveries");

            migrationBuilder.DropTable(
                name: "webhooks");

            migrationBuilder.DropTable(
                name: "deadlines");

            migrationBuilder.DropColumn(
                name: "reminder_ladder",
                table: "organisations");
        }
    }
}
