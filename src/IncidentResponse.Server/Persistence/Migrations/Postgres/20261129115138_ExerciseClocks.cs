using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ExerciseClocks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps");

            migrationBuilder.DropIndex(
                name: "ix_deadline_rungs_pending_at",
                table: "deadline_rungs");

            migrationBuilder.AddColumn<Instant>(
                name: "wake_fire_at",
                table: "run_steps",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Instant>(
                name: "fire_at",
                table: "deadline_rungs",
                type: "timestamp with time zone",
                nullable: true);

            // Every incident so far keeps real time: its reminders and waits fire at the instants they fall.
            migrationBuilder.Sql("UPDATE deadline_rungs SET fire_at = at WHERE state = 'Pending'");
            migrationBuilder.Sql("UPDATE run_steps SET wake_fire_at = wake_at WHERE wake_at IS NOT NULL");

            migrationBuilder.CreateTable(
                name: "exercise_clocks",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    real_anchor = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    simulated_anchor = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    speed = table.Column<int>(type: "integer", nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_exercise_clocks", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_exercise_clocks_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_fire_at",
                table: "run_steps",
                columns: new[] { "status", "wake_fire_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_pending_fire_at",
                table: "deadline_rungs",
                column: "fire_at",
                filter: "state = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "exercise_clocks");

            migrationBuilder.DropIndex(
                name: "ix_run_steps_status_wake_fire_at",
                table: "run_steps");

            migrationBuilder.DropIndex(
                name: "ix_deadline_rungs_pending_fire_at",
                table: "deadline_rungs");

            migrationBuilder.DropColumn(
                name: "wake_fire_at",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "fire_at",
                table: "deadline_rungs");

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps",
                columns: new[] { "status", "wake_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_pending_at",
                table: "deadline_rungs",
                column: "at",
                filter: "state = 'Pending'");
        }
    }
}
